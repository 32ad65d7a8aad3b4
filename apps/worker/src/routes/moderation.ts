import { type FastifyInstance } from 'fastify';
import { type ModerationInput, type ModerationResult } from '../services/moderation.js';
import { moderateSchema } from './schemas.js';

export function moderationRoutes(app: FastifyInstance, moderate: (input: ModerationInput) => ModerationResult): void {
  app.post<{ Body: ModerationInput }>('/internal/moderate', { schema: moderateSchema }, (req) => moderate(req.body));
}
