import { describe, expect, it } from 'vitest';
import { Registry } from '../../src/runtime/metrics.ts';

describe('metrics registry', () => {
  it('renders counters, gauges and histograms in the Prometheus text format', () => {
    const registry = new Registry();
    registry.counter('events_total', 'Events seen').inc({ type: 'UPDATE' }, 3);
    let depth = 7;
    registry.gauge('queue_depth', 'Depth').collect(() => depth, { controller: 'apps' });
    const histogram = registry.histogram('latency_seconds', 'Latency', [0.1, 1]);
    histogram.observe(0.05);
    histogram.observe(0.5);
    depth = 9;
    expect(registry.render()).toBe(
      [
        '# HELP events_total Events seen',
        '# TYPE events_total counter',
        'events_total{type="UPDATE"} 3',
        '# HELP queue_depth Depth',
        '# TYPE queue_depth gauge',
        'queue_depth{controller="apps"} 9',
        '# HELP latency_seconds Latency',
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{le="0.1"} 1',
        'latency_seconds_bucket{le="1"} 2',
        'latency_seconds_bucket{le="+Inf"} 2',
        'latency_seconds_sum 0.55',
        'latency_seconds_count 2',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values and shares a metric asked for twice', () => {
    const registry = new Registry();
    registry.counter('c', 'x').inc({ msg: 'say "hi"\n' });
    registry.counter('c', 'x').inc({ msg: 'say "hi"\n' });
    expect(registry.render()).toContain('c{msg="say \\"hi\\"\\n"} 2');
    expect(() => registry.gauge('c', 'x')).toThrow('already a counter');
  });
});
