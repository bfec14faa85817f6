import { describe, expect, it } from 'vitest';
import {
  acceptCall,
  acknowledgeCall,
  declineCall,
  killCall,
  launchGroupOperation,
  launchOperation,
  reconcileCall,
  reviveCall,
  shutdownCall,
  subscribeCall,
  suppressCall,
  teardownCall,
  updateFrameworkCall,
} from '../../../src/mesos/client/calls.ts';
import { decodeCall, encodeCall } from '../../../src/mesos/codec.ts';
import { status, taskInfo } from '../fixtures.ts';

const info = { user: 'root', name: 'meseta', roles: ['apps'] };

describe('call builders', () => {
  it('put the framework id in both places on resubscription, and nowhere on a first SUBSCRIBE', () => {
    expect(subscribeCall(info, []).framework_id).toBeUndefined();
    const again = subscribeCall({ ...info, id: { value: 'M-0001' } }, ['apps']);
    expect(again.framework_id).toEqual({ value: 'M-0001' });
    expect(again.subscribe!.framework_info.id).toEqual({ value: 'M-0001' });
    expect(again.subscribe!.suppressed_roles).toEqual(['apps']);
  });

  it('build ACKNOWLEDGE only for a status with a uuid and an agent', () => {
    expect(acknowledgeCall('f', status)!.acknowledge).toEqual({
      agent_id: status.agent_id,
      task_id: status.task_id,
      uuid: status.uuid,
    });
    expect(acknowledgeCall('f', { ...status, uuid: undefined })).toBeUndefined();
    expect(acknowledgeCall('f', { ...status, agent_id: undefined })).toBeUndefined();
  });

  it('leave roles and tasks out when empty (all roles, implicit reconciliation)', () => {
    expect(suppressCall('f').suppress).toEqual({});
    expect(reviveCall('f', ['a']).revive).toEqual({ roles: ['a'] });
    expect(reconcileCall('f').reconcile).toEqual({});
  });

  it.each(['json', 'protobuf'] as const)(
    'build calls that pass required-field checks (%s)',
    (format) => {
      const calls = [
        subscribeCall(info, []),
        acceptCall('f', [{ value: 'o' }], [launchOperation([taskInfo])], { refuse_seconds: 1 }),
        acceptCall(
          'f',
          [{ value: 'o' }],
          [launchGroupOperation({ executor_id: { value: 'e' } }, [taskInfo])],
        ),
        declineCall('f', [{ value: 'o' }]),
        suppressCall('f', ['apps']),
        reviveCall('f'),
        killCall('f', { value: 't' }, { value: 'a' }, { grace_period: { nanoseconds: '1' } }),
        acknowledgeCall('f', status)!,
        reconcileCall('f', [{ task_id: { value: 't' } }]),
        shutdownCall('f', { value: 'e' }, { value: 'a' }),
        teardownCall('f'),
        updateFrameworkCall({ ...info, id: { value: 'f' } }, []),
      ];
      for (const call of calls) {
        const decoded = decodeCall(encodeCall(call, format), format);
        expect(decoded.type).toBe(call.type);
        expect(decoded.framework_id).toEqual(call.framework_id);
      }
    },
  );
});
