/**
 * Shapes of the v1 scheduler API's Call and Event (package mesos.v1.scheduler), in the wire
 * representation described in `types.ts`.
 */
import type {
  AgentID,
  Base64,
  ExecutorID,
  Filters,
  FrameworkID,
  FrameworkInfo,
  InverseOffer,
  KillPolicy,
  MasterInfo,
  Offer,
  OfferID,
  OfferOperation,
  OperationID,
  OperationStatus,
  Request,
  ResourceProviderID,
  TaskID,
  TaskStatus,
} from './types.ts';

export type CallType =
  | 'UNKNOWN'
  | 'SUBSCRIBE'
  | 'TEARDOWN'
  | 'ACCEPT'
  | 'DECLINE'
  | 'ACCEPT_INVERSE_OFFERS'
  | 'DECLINE_INVERSE_OFFERS'
  | 'REVIVE'
  | 'KILL'
  | 'SHUTDOWN'
  | 'ACKNOWLEDGE'
  | 'ACKNOWLEDGE_OPERATION_STATUS'
  | 'RECONCILE'
  | 'RECONCILE_OPERATIONS'
  | 'MESSAGE'
  | 'REQUEST'
  | 'SUPPRESS'
  | 'UPDATE_FRAMEWORK';

/** One predicate on an agent's (pseudo)attribute (Mesos 1.11+). */
export interface AttributeConstraint {
  selector: {
    pseudoattribute_type?: 'UNKNOWN' | 'HOSTNAME' | 'REGION' | 'ZONE';
    attribute_name?: string;
  };
  predicate: {
    exists?: Record<string, never>;
    not_exists?: Record<string, never>;
    text_equals?: { value: string };
    text_not_equals?: { value: string };
    text_matches?: { regex: string };
    text_not_matches?: { regex: string };
  };
}

/** Per role, groups of constraints: an offer matches if all of one group hold (Mesos 1.11+). */
export interface OfferConstraints {
  role_constraints?: Record<
    string,
    { groups?: { attribute_constraints?: AttributeConstraint[] }[] }
  >;
}

export interface Call {
  framework_id?: FrameworkID;
  type?: CallType;
  subscribe?: {
    framework_info: FrameworkInfo;
    suppressed_roles?: string[];
    offer_constraints?: OfferConstraints;
  };
  accept?: { offer_ids?: OfferID[]; operations?: OfferOperation[]; filters?: Filters };
  decline?: { offer_ids?: OfferID[]; filters?: Filters };
  accept_inverse_offers?: { inverse_offer_ids?: OfferID[]; filters?: Filters };
  decline_inverse_offers?: { inverse_offer_ids?: OfferID[]; filters?: Filters };
  revive?: { roles?: string[] };
  kill?: { task_id: TaskID; agent_id?: AgentID; kill_policy?: KillPolicy };
  shutdown?: { executor_id: ExecutorID; agent_id: AgentID };
  acknowledge?: { agent_id: AgentID; task_id: TaskID; uuid: Base64 };
  acknowledge_operation_status?: {
    agent_id?: AgentID;
    resource_provider_id?: ResourceProviderID;
    uuid: Base64;
    operation_id: OperationID;
  };
  reconcile?: { tasks?: { task_id: TaskID; agent_id?: AgentID }[] };
  reconcile_operations?: {
    operations?: {
      operation_id: OperationID;
      agent_id?: AgentID;
      resource_provider_id?: ResourceProviderID;
    }[];
  };
  message?: { agent_id: AgentID; executor_id: ExecutorID; data: Base64 };
  request?: { requests?: Request[] };
  suppress?: { roles?: string[] };
  update_framework?: {
    framework_info: FrameworkInfo;
    suppressed_roles?: string[];
    offer_constraints?: OfferConstraints;
  };
}

export type EventType =
  | 'UNKNOWN'
  | 'SUBSCRIBED'
  | 'OFFERS'
  | 'INVERSE_OFFERS'
  | 'RESCIND'
  | 'RESCIND_INVERSE_OFFER'
  | 'UPDATE'
  | 'UPDATE_OPERATION_STATUS'
  | 'MESSAGE'
  | 'FAILURE'
  | 'ERROR'
  | 'HEARTBEAT';

export interface Event {
  type?: EventType;
  subscribed?: {
    framework_id: FrameworkID;
    heartbeat_interval_seconds?: number;
    master_info?: MasterInfo;
  };
  offers?: { offers?: Offer[] };
  inverse_offers?: { inverse_offers?: InverseOffer[] };
  rescind?: { offer_id: OfferID };
  rescind_inverse_offer?: { inverse_offer_id: OfferID };
  update?: { status: TaskStatus };
  update_operation_status?: { status: OperationStatus };
  message?: { agent_id: AgentID; executor_id: ExecutorID; data: Base64 };
  failure?: { agent_id?: AgentID; executor_id?: ExecutorID; status?: number };
  error?: { message: string };
}
