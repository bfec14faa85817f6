/** What `meseta up` shows while Apps converge: rows from App status, in place or line by line. */
import { describe, expect, it } from 'vitest';
import type { StoredApp } from '../../src/api/resources.ts';
import { appRow, ConvergenceView } from '../../src/up/convergence-view.ts';
import { app } from '../controllers/apps/fixtures.ts';

function withStatus(name: string, instances: number, status: StoredApp['status'], generation = 1) {
  const base = app(name, { instances }, 'shop');
  return {
    ...base,
    metadata: { ...base.metadata, generation },
    status: { observedGeneration: 1, ...status },
  } as StoredApp;
}

const converged = (name: string, n: number) =>
  withStatus(name, n, { instances: n, running: n, healthy: n, updated: n });

describe('appRow', () => {
  it('calls an App converged only when every wanted instance runs healthy at the observed generation', () => {
    expect(appRow(converged('web', 3))).toMatchObject({
      key: 'shop/web',
      converged: true,
      state: 'Converged',
    });
    expect(
      appRow(withStatus('web', 3, { instances: 3, running: 3, healthy: 2, updated: 3 })),
    ).toMatchObject({
      converged: false,
      state: 'Progressing',
    });
    // A spec change the controller has not seen yet.
    expect(
      appRow({
        ...converged('web', 3),
        metadata: { ...converged('web', 3).metadata, generation: 2 },
      }),
    ).toMatchObject({
      converged: false,
      state: 'Pending',
    });
    const degraded = withStatus('web', 1, {
      conditions: [
        {
          type: 'Degraded',
          status: 'True',
          reason: 'InstancesFailing',
          message: '',
          lastTransitionTime: '',
        },
      ],
    });
    expect(appRow(degraded).state).toBe('Degraded (InstancesFailing)');
  });
});

describe('ConvergenceView', () => {
  it('prints a line per App whose counts changed, and the summary when it changes, when not on a terminal', () => {
    let text = '';
    const view = new ConvergenceView({ write: (t: string) => (text += t), isTTY: false });
    view.show([
      withStatus('web', 2, { running: 1, healthy: 1, updated: 2, instances: 2 }),
      converged('db', 1),
    ]);
    expect(text).toBe(
      'shop/db: 1/1 running, 1 healthy, 1 updated, Converged\n' +
        'shop/web: 1/2 running, 1 healthy, 2 updated, Progressing\n' +
        '1 of 2 apps converged\n',
    );
    text = '';
    view.show([converged('web', 2), converged('db', 1)]);
    expect(text).toBe(
      'shop/web: 2/2 running, 2 healthy, 2 updated, Converged\nall 2 apps converged\n',
    );
    expect(view.allConverged()).toBe(true);
    text = '';
    view.show([converged('web', 2)]);
    expect(text).toBe('shop/db: deleted\nall 1 apps converged\n');
  });

  it('redraws the table in place on a terminal', () => {
    const writes: string[] = [];
    const view = new ConvergenceView({ write: (t: string) => writes.push(t), isTTY: true });
    view.show([withStatus('web', 2, { running: 0, updated: 2, instances: 2 })]);
    view.show([converged('web', 2)]);
    expect(writes[0]).toMatch(
      /^APP\s+WANTED\s+RUNNING\s+HEALTHY\s+UPDATED\s+STATE\nshop\/web\s+2\s+0\s+0\s+2\s+Progressing\n0 of 1 apps converged\n$/,
    );
    // Up three lines (header, row, summary), clear, redraw.
    expect(writes[1]!.startsWith('\x1b[3A\x1b[J')).toBe(true);
    expect(writes[1]).toContain('all 1 apps converged');
  });
});
