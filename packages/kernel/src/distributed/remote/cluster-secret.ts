/** The cluster secret that signs code bundles (kept apart from the Redis code, so the public API reaches no ioredis type). */
import { ValidationError } from '@sage/common';

/** The environment variable read for the cluster secret where no `clusterSecret` option is given. */
export const CLUSTER_SECRET_VARIABLE = 'SAGE_CLUSTER_SECRET';
const MINIMUM_SECRET_LENGTH = 16;

/** Checks a cluster secret without ever repeating it; `source` says where it came from. */
export function checkClusterSecret(secret: string, source: string): string {
  if (typeof secret !== 'string' || secret.trim().length < MINIMUM_SECRET_LENGTH) {
    throw new ValidationError(
      `the cluster secret from ${source} must be at least ${MINIMUM_SECRET_LENGTH} characters (make one with: openssl rand -hex 32)`,
    );
  }
  return secret.trim();
}
