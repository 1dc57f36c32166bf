// Saved replies for agents (issue 22): bilingual texts kept as data beside the guides
// (intents/saved-replies/saved-replies.json), so a non-programmer can add one. An agent picks one by
// id; the buyer gets it in their language.
import fs from 'node:fs/promises';
import { z } from 'zod';
import type { Locale } from '../domain/index.ts';
import { INTENTS_DIR } from '../nlu/index.ts';

const bilingual = z.strictObject({ zh: z.string().min(1).max(2_000), en: z.string().min(1).max(2_000) });
const savedRepliesSchema = z.strictObject({
  about: z.string().optional(),
  replies: z
    .array(
      z.strictObject({
        id: z
          .string()
          .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/)
          .max(40),
        title: z.strictObject({ zh: z.string().min(1).max(60), en: z.string().min(1).max(60) }),
        text: bilingual,
      }),
    )
    .min(1)
    // A Slack select holds at most 100 options.
    .max(100)
    .refine((replies) => new Set(replies.map((r) => r.id)).size === replies.length, 'saved reply ids must be unique'),
});
export type SavedReplyBook = z.infer<typeof savedRepliesSchema>;
export type SavedReply = SavedReplyBook['replies'][number];

export const SAVED_REPLIES_FILE = `${INTENTS_DIR}saved-replies/saved-replies.json`;

export async function loadSavedReplies(file = SAVED_REPLIES_FILE): Promise<SavedReplyBook> {
  return savedRepliesSchema.parse(JSON.parse(await fs.readFile(file, 'utf8')));
}

let shared: Promise<SavedReplyBook> | null = null;

/** The shipped book, read once per process. */
export function savedReplies(): Promise<SavedReplyBook> {
  shared ??= loadSavedReplies().catch((error: unknown) => {
    shared = null;
    throw error;
  });
  return shared;
}

export function findSavedReply(book: SavedReplyBook, id: string): SavedReply | null {
  return book.replies.find((r) => r.id === id) ?? null;
}

export function savedReplyText(reply: SavedReply, locale: Locale): string {
  return reply.text[locale];
}
