import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Author, CorrectionBody, RatingBody } from './feedback.commands';

type Answer = { label: string | null; action: string | null };

/** Feedback and corrections; their triggers enqueue the learning items. */
@Injectable()
export class FeedbackRepository {
  /**
   * Stores a rating and what it says about the answer: an engagement score from the rating
   * (or 100 and 0 for thumbs up and down), and a thumbs up as the recommendation taken.
   */
  async insertRating(
    tx: EntityManager,
    author: Author,
    interactionId: string,
    body: RatingBody,
  ): Promise<string> {
    const rows: Array<{ id: string }> = await tx.query(
      `INSERT INTO feedback (interaction_id, tenant, feedback_type, rating, reason, created_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [
        interactionId,
        author.tenant,
        body.feedback_type,
        body.rating ?? null,
        body.reason ?? null,
        author.actor,
      ],
    );
    const score =
      body.rating !== undefined
        ? (body.rating - 1) * 25
        : { thumbs_up: 100, thumbs_down: 0 }[body.feedback_type as 'thumbs_up' | 'thumbs_down'];
    const taken =
      body.feedback_type === 'thumbs_up'
        ? true
        : body.feedback_type === 'thumbs_down'
          ? false
          : null;
    await tx.query(
      `UPDATE response_analytics
          SET user_engagement_score = COALESCE($3, user_engagement_score),
              led_to_conversion = COALESCE($4, led_to_conversion)
        WHERE tenant = $1 AND interaction_id = $2`,
      [author.tenant, interactionId, score ?? null, taken],
    );
    return rows[0].id;
  }

  /** Stores a correction; a corrected action means the recommended one was not taken. */
  async insertCorrection(
    tx: EntityManager,
    author: Author,
    interactionId: string,
    original: Answer,
    corrected: Answer,
    body: CorrectionBody,
  ): Promise<string> {
    const rows: Array<{ id: string }> = await tx.query(
      `INSERT INTO corrections (interaction_id, tenant, original_response, corrected_answer, priority,
              reason, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        interactionId,
        author.tenant,
        original,
        corrected,
        body.priority,
        body.reason ?? null,
        author.actor,
      ],
    );
    if (corrected.action !== original.action) {
      await tx.query(
        `UPDATE response_analytics SET led_to_conversion = false
          WHERE tenant = $1 AND interaction_id = $2 AND response_type = 'resolution'`,
        [author.tenant, interactionId],
      );
    }
    return rows[0].id;
  }
}
