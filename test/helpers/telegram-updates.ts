// A buyer's Telegram update (a message, or a button's callback query) as the Bot API delivers it to a
// webhook. Each test file numbers its updates from its own start so ids never collide between files.
export function telegramUpdates(firstUpdateId: number) {
  let nextUpdate = firstUpdateId;
  return function update(chatId: number, content: { text?: string; data?: string }) {
    const updateId = nextUpdate++;
    const from = { id: chatId, is_bot: false, first_name: 'Buyer', language_code: 'zh' };
    const chat = { id: chatId, type: 'private' as const, first_name: 'Buyer' };
    if (content.data) {
      const message = {
        message_id: updateId,
        date: Math.floor(Date.now() / 1000),
        chat,
        from: { id: 42, is_bot: true, first_name: 'Refund desk' },
        text: '…',
      };
      return {
        update_id: updateId,
        callback_query: { id: `cb${updateId}`, from, chat_instance: String(chatId), data: content.data, message },
      };
    }
    const text = content.text!;
    const entities = text.startsWith('/') ? [{ type: 'bot_command' as const, offset: 0, length: text.split(' ')[0]!.length }] : undefined;
    return {
      update_id: updateId,
      message: { message_id: updateId, date: Math.floor(Date.now() / 1000), chat, from, text, ...(entities ? { entities } : {}) },
    };
  };
}
