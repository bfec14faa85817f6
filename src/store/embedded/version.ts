/** What the embedded server calls itself in etcd's Status: etcd's API level, marked as meseta's. */
export const EMBEDDED_VERSION = '3.4.0-meseta';
