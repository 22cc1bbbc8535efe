/**
 * Where a conversation's work lives in Redis. Conversations are spread over a fixed number
 * of partitions, each under its own hash tag (`swb:{dq:<n>}:`), so every script touches one
 * Cluster slot and different partitions land on different slots (and nodes).
 */
import { createHash } from 'node:crypto';

/** Partitions: enough to spread over the nodes of a cluster, few enough to poll each cheaply. */
export const DELIVERY_PARTITIONS = 16;

/** The key base of partition `n` (`prefix` lets tests on a shared server keep apart). */
export function partitionBase(n: number, prefix = 'swb:'): string {
  return `${prefix}{dq:${n}}:`;
}

/** The partition of a conversation (stable across replicas and restarts). */
export function partitionOf(conversationKey: string, partitions = DELIVERY_PARTITIONS): number {
  return createHash('sha1').update(conversationKey).digest().readUInt32BE(0) % partitions;
}
