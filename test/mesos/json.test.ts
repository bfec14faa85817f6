import { describe, expect, it } from 'vitest';
import { CodecError } from '../../src/mesos/errors.ts';
import { formatDouble, readMesosJson, writeMesosJson } from '../../src/mesos/json.ts';
import { parseJsonText } from '../../src/mesos/json-text.ts';
import { MessageNames } from '../../src/mesos/schema.ts';
import type { Call, Event } from '../../src/mesos/scheduler-types.ts';

const writeEvent = (event: Event) => writeMesosJson(MessageNames.Event, event);
const readCall = (text: string) => readMesosJson<Call>(MessageNames.Call, text);

describe('Mesos JSON as the master writes it', () => {
  it('writes SUBSCRIBED with the heartbeat interval as a double', () => {
    const text = writeEvent({
      type: 'SUBSCRIBED',
      subscribed: {
        framework_id: { value: 'M-0000' },
        heartbeat_interval_seconds: 15,
        master_info: { id: 'M', ip: 16777343, port: 5050, hostname: 'm1' },
      },
    });
    expect(text).toBe(
      '{"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"M-0000"},' +
        '"heartbeat_interval_seconds":15.0,"master_info":{"id":"M","ip":16777343,"port":5050,' +
        '"hostname":"m1"}}}',
    );
  });

  it('nests offers inside Offers, in proto declaration order, deprecated role only when set', () => {
    const text = writeEvent({
      type: 'OFFERS',
      offers: {
        offers: [
          {
            id: { value: 'M-O12' },
            framework_id: { value: 'M-0000' },
            agent_id: { value: 'M-S3' },
            hostname: 'agent1',
            allocation_info: { role: 'apps' },
            resources: [
              {
                name: 'cpus',
                type: 'SCALAR',
                scalar: { value: 4 },
                role: '*',
                allocation_info: { role: 'apps' },
              },
              {
                name: 'ports',
                type: 'RANGES',
                ranges: { range: [{ begin: '31000', end: '32000' }] },
              },
            ],
            attributes: [{ name: 'rack', type: 'TEXT', text: { value: 'r1' } }],
            executor_ids: [],
          },
        ],
      },
    });
    // stout walks Descriptor::field(i), i.e. declaration order: `role` (6) is declared before
    // `allocation_info` (11), and Offer.allocation_info is declared last.
    expect(text).toBe(
      '{"type":"OFFERS","offers":{"offers":[{"id":{"value":"M-O12"},"framework_id":{"value":"M-0000"},' +
        '"agent_id":{"value":"M-S3"},"hostname":"agent1","resources":[{"name":"cpus","type":"SCALAR",' +
        '"scalar":{"value":4.0},"role":"*","allocation_info":{"role":"apps"}},{"name":"ports",' +
        '"type":"RANGES","ranges":{"range":[{"begin":31000,"end":32000}]}}],"attributes":[{"name":"rack",' +
        '"type":"TEXT","text":{"value":"r1"}}],"allocation_info":{"role":"apps"}}]}}',
    );
  });

  it('writes UPDATE with data, uuid as padded base64, and the timestamp as a double', () => {
    const text = writeEvent({
      type: 'UPDATE',
      update: {
        status: {
          task_id: { value: 'app.a1b2' },
          state: 'TASK_RUNNING',
          source: 'SOURCE_EXECUTOR',
          agent_id: { value: 'M-S3' },
          timestamp: 1700000000.123,
          uuid: 'ASNFZ4mrze8BI0VniavN7w==',
          data: 'aGk=',
          healthy: false,
          reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
        },
      },
    });
    expect(text).toBe(
      '{"type":"UPDATE","update":{"status":{"task_id":{"value":"app.a1b2"},"state":"TASK_RUNNING",' +
        '"source":"SOURCE_EXECUTOR","reason":"REASON_TASK_HEALTH_CHECK_STATUS_UPDATED","data":"aGk=",' +
        '"agent_id":{"value":"M-S3"},"timestamp":1700000000.123,"uuid":"ASNFZ4mrze8BI0VniavN7w==",' +
        '"healthy":false}}}',
    );
  });

  it('writes ERROR with its message inside error, and HEARTBEAT bare', () => {
    expect(writeEvent({ type: 'ERROR', error: { message: 'Framework failed over' } })).toBe(
      '{"type":"ERROR","error":{"message":"Framework failed over"}}',
    );
    expect(writeEvent({ type: 'HEARTBEAT' })).toBe('{"type":"HEARTBEAT"}');
  });

  it('emits unset optional fields that have non-deprecated defaults', () => {
    const call: Call = {
      type: 'ACCEPT',
      framework_id: { value: 'f' },
      accept: {
        offer_ids: [{ value: 'o' }],
        filters: {},
        operations: [
          {
            type: 'LAUNCH',
            launch: {
              task_infos: [
                {
                  name: 't',
                  task_id: { value: 't' },
                  agent_id: { value: 'a' },
                  command: { value: 'true' },
                  container: {
                    type: 'DOCKER',
                    docker: { image: 'x' },
                    network_infos: [{ ip_addresses: [{}] }],
                  },
                  health_check: { type: 'TCP', tcp: { port: 80 } },
                },
              ],
            },
          },
        ],
      },
    };
    const text = writeMesosJson(MessageNames.Call, call);
    expect(text).toContain('"filters":{"refuse_seconds":5.0}');
    expect(text).toContain('"command":{"shell":true,"value":"true"}');
    expect(text).toContain('"docker":{"image":"x","network":"HOST","privileged":false}');
    expect(text).toContain('"ip_addresses":[{"protocol":"IPv4"}]');
    expect(text).toContain(
      '"health_check":{"delay_seconds":15.0,"interval_seconds":10.0,"timeout_seconds":20.0,' +
        '"consecutive_failures":3,"grace_period_seconds":10.0,"type":"TCP",' +
        '"tcp":{"protocol":"IPv4","port":80}}',
    );
  });

  it('does not emit deprecated defaults, empty repeated fields or empty maps', () => {
    const text = writeMesosJson(MessageNames.Call, {
      type: 'SUBSCRIBE',
      subscribe: {
        framework_info: { user: 'u', name: 'n', roles: [], capabilities: [], offer_filters: {} },
        suppressed_roles: [],
      },
    });
    expect(text).toBe(
      '{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n",' +
        '"failover_timeout":0.0,"checkpoint":false}}}',
    );
    const resource = writeMesosJson('mesos.v1.Resource', {
      name: 'cpus',
      type: 'SCALAR',
      scalar: { value: 1 },
    });
    expect(resource).toBe('{"name":"cpus","type":"SCALAR","scalar":{"value":1.0}}');
  });

  it('writes maps as objects and non-finite doubles as strings', () => {
    const text = writeMesosJson('mesos.v1.TaskInfo', {
      name: 't',
      task_id: { value: 't' },
      agent_id: { value: 'a' },
      limits: { cpus: { value: Infinity }, mem: { value: 64 } },
    });
    expect(text).toContain('"limits":{"cpus":{"value":"Infinity"},"mem":{"value":64.0}}');
  });

  it('escapes control characters as rapidjson does', () => {
    const text = writeEvent({ type: 'ERROR', error: { message: 'a"b\\c\nd\u0001' } });
    expect(text).toBe('{"type":"ERROR","error":{"message":"a\\"b\\\\c\\nd\\u0001"}}');
    expect(JSON.parse(text).error.message).toBe('a"b\\c\nd\u0001');
  });

  it.each([
    [15, '15.0'],
    [0, '0.0'],
    [-3, '-3.0'],
    [0.5, '0.5'],
    [1700000000.123, '1700000000.123'],
    [0.000001, '0.000001'],
    [1e-7, '1e-7'],
    [1.5e-7, '1.5e-7'],
    [1e21, '1e21'],
    [123e20, '1.23e22'],
    [1e20, '100000000000000000000.0'],
    [31536000, '31536000.0'],
    [-Infinity, '"-Infinity"'],
  ])('formats the double %s as %s', (value, text) => {
    expect(formatDouble(value)).toBe(text);
  });
});

describe('reading Mesos JSON', () => {
  it('reads the SUBSCRIBE request of the scheduler API docs', () => {
    const call = readCall(
      '{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"root","name":"reconciler",' +
        '"failover_timeout":604800,"checkpoint":true,"roles":["apps"],"capabilities":' +
        '[{"type":"MULTI_ROLE"},{"type":"PARTITION_AWARE"},{"type":"TASK_KILLING_STATE"}]},' +
        '"suppressed_roles":[]}}',
    );
    expect(call).toEqual({
      type: 'SUBSCRIBE',
      subscribe: {
        framework_info: {
          user: 'root',
          name: 'reconciler',
          failover_timeout: 604800,
          checkpoint: true,
          roles: ['apps'],
          capabilities: [
            { type: 'MULTI_ROLE' },
            { type: 'PARTITION_AWARE' },
            { type: 'TASK_KILLING_STATE' },
          ],
        },
      },
    });
  });

  it('ignores unknown and camelCase keys and treats null as unset', () => {
    const call = readCall(
      '{"type":"REVIVE","frameworkId":{"value":"x"},"framework_id":{"value":"f"},"revive":null,"extra":[1,{"a":2}]}',
    );
    expect(call).toEqual({ type: 'REVIVE', framework_id: { value: 'f' } });
  });

  it('accepts numbers and booleans as strings, and "Infinity" for doubles', () => {
    const call = readCall(
      '{"type":"DECLINE","framework_id":{"value":"f"},"decline":{"filters":{"refuse_seconds":"Infinity"}}}',
    );
    expect(call.decline?.filters?.refuse_seconds).toBe(Infinity);
    const info = readMesosJson<{ checkpoint?: boolean; failover_timeout?: number }>(
      'mesos.v1.FrameworkInfo',
      '{"user":"u","name":"n","checkpoint":"true","failover_timeout":"1.5"}',
    );
    expect(info).toMatchObject({ checkpoint: true, failover_timeout: 1.5 });
  });

  it('keeps int64 digits beyond 2^53 that JSON.parse would lose', () => {
    const text = '{"nanoseconds":1700000000123456789}';
    expect(String(JSON.parse(text).nanoseconds)).not.toBe('1700000000123456789');
    expect(readMesosJson('mesos.v1.TimeInfo', text)).toEqual({
      nanoseconds: '1700000000123456789',
    });
    expect(readMesosJson('mesos.v1.TimeInfo', '{"nanoseconds":"-42"}')).toEqual({
      nanoseconds: '-42',
    });
  });

  it('drops an unknown enum name on an optional field and fails on a required one', () => {
    expect(readCall('{"type":"NOT_A_CALL"}')).toEqual({});
    expect(() =>
      readMesosJson('mesos.v1.TaskStatus', '{"task_id":{"value":"t"},"state":"TASK_BOGUS"}'),
    ).toThrow("Failed to find enum for 'TASK_BOGUS'");
  });

  it('reports missing required fields with their paths', () => {
    expect(() => readCall('{"type":"KILL","framework_id":{"value":"f"},"kill":{}}')).toThrow(
      'Missing required fields: kill.task_id',
    );
  });

  it('names the field when a value has the wrong JSON type', () => {
    expect(() => readCall('{"type":["SUBSCRIBE"]}')).toThrow(
      "Not expecting a JSON array for field 'type'",
    );
    expect(() => readCall('{"framework_id":"f"}')).toThrow(
      "Not expecting a JSON string for field 'framework_id'",
    );
    expect(() => readMesosJson('mesos.v1.Filters', '{"refuse_seconds":"soon"}')).toThrow(
      "Failed to parse 'soon' as a JSON number for field 'refuse_seconds'",
    );
    expect(() => readMesosJson('mesos.v1.Label', '{"key":true}')).toThrow(
      "Not expecting a JSON boolean for field 'key'",
    );
  });

  it('validates base64 in bytes fields and canonicalises padding', () => {
    expect(() => readMesosJson('mesos.v1.UUID', '{"value":"not base64!"}')).toThrow(
      "Failed to base64 decode bytes field 'value'",
    );
    expect(readMesosJson('mesos.v1.UUID', '{"value":"aGk"}')).toEqual({ value: 'aGk=' });
  });

  it('accepts a single value for a repeated field, as stout does', () => {
    expect(readMesosJson('mesos.v1.Labels', '{"labels":{"key":"a"}}')).toEqual({
      labels: [{ key: 'a' }],
    });
  });

  it('rejects text that is not JSON with the offset of the problem', () => {
    expect(() => readCall('{"type":')).toThrow(CodecError);
    expect(() => readCall('{"type" "x"}')).toThrow("Expected ':' at offset 8");
    expect(() => readCall('[]')).toThrow('Expecting a JSON object');
    expect(() => readCall('{} x')).toThrow('Unexpected trailing content at offset 3');
  });
});

describe('parseJsonText', () => {
  it('keeps number text and accepts the non-finite tokens rapidjson writes', () => {
    expect(parseJsonText('[1.50, -0, 1e400, Infinity, -Infinity, NaN]')).toEqual({
      kind: 'array',
      items: ['1.50', '-0', '1e400', 'Infinity', '-Infinity', 'NaN'].map((text) => ({
        kind: 'number',
        text,
      })),
    });
  });

  it('decodes escapes and unicode in strings', () => {
    expect(parseJsonText('"a\\u00e9\\n\\"é"')).toEqual({ kind: 'string', value: 'aé\n"é' });
    expect(() => parseJsonText('"a\\x"')).toThrow('Invalid escape in string');
    expect(() => parseJsonText('"abc')).toThrow('Unterminated string');
  });
});
