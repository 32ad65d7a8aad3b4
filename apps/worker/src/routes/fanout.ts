import { type FastifyInstance } from 'fastify';
import { type Logger } from '../deps.js';
import { type GroupRepository } from '../repositories/groups.js';
import { fanout, type FanoutClock, type FanoutRequest } from '../services/fanout.js';
import { fanoutSchema } from './schemas.js';

export function fanoutRoutes(app: FastifyInstance, groups: GroupRepository, logger: Logger, clock: FanoutClock): void {
  app.post<{ Body: FanoutRequest }>('/internal/message-groups/fanout', { schema: fanoutSchema }, (req) =>
    fanout(groups, logger, req.body, clock),
  );
}
