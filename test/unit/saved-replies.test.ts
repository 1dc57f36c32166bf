// The saved replies' data (issue 22): the shipped book reads, every reply has both languages, and a
// malformed book is refused with the field.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSavedReply, loadSavedReplies, savedReplyText } from '../../src/conversation/saved-replies.ts';

describe('saved replies', () => {
  it('reads the shipped book: unique ids, both languages', async () => {
    const book = await loadSavedReplies();
    expect(book.replies.length).toBeGreaterThanOrEqual(3);
    for (const r of book.replies) {
      expect(r.text.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(r.text.en).toMatch(/^[\x20-\x7e–’“”]+$/);
    }
    const first = book.replies[0]!;
    expect(findSavedReply(book, first.id)).toBe(first);
    expect(findSavedReply(book, 'no-such-reply')).toBeNull();
    expect(savedReplyText(first, 'en')).toBe(first.text.en);
  });

  it('refuses a book with a missing language, a bad id or a repeated id', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'saved-replies-'));
    const write = async (replies: unknown[]) => {
      const file = path.join(dir, `${Math.random()}.json`);
      await fs.writeFile(file, JSON.stringify({ replies }));
      return file;
    };
    const ok = { id: 'ok', title: { zh: '好', en: 'OK' }, text: { zh: '好的', en: 'OK' } };
    await expect(loadSavedReplies(await write([{ ...ok, text: { zh: '好的' } }]))).rejects.toThrow(/en/);
    await expect(loadSavedReplies(await write([{ ...ok, id: 'Not OK' }]))).rejects.toThrow(/id/);
    await expect(loadSavedReplies(await write([ok, ok]))).rejects.toThrow(/unique/);
    await fs.rm(dir, { recursive: true, force: true });
  });
});
