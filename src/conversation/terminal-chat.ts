// `refund-desk chat --buyer <id>`: the dialogue engine in a terminal, on the configured database
// (the embedded demo by default), so anyone can try the scenarios in a minute. Buttons are numbered:
// type the number to press one. The CLI builds the desk and hands over what a chat needs: this
// module never imports the composition root (issue 19).
import readline from 'node:readline/promises';
import { localeOrDefault } from '../domain/index.ts';
import type { PrismaClient } from '../store/index.ts';
import type { DialogueEngine } from './dialogue.ts';
import type { Button } from './messages.ts';

export interface TerminalChatDeps {
  dialogue: Pick<DialogueEngine, 'handle'>;
  prisma: PrismaClient;
}

export async function runTerminalChat(
  desk: TerminalChatDeps,
  buyerId: string,
  io = { input: process.stdin, output: process.stdout },
): Promise<void> {
  const buyer = await desk.prisma.buyer.findUnique({ where: { id: buyerId } });
  if (!buyer) {
    io.output.write(`No buyer ${buyerId}. Demo buyers: b_demo_buyer (zh), b_demo_alice (en).\n`);
    return;
  }
  const chatId = `term_${buyerId}_${Date.now()}`;
  io.output.write(`Chatting as ${buyer.name ?? buyerId} (${buyerId}). Type a message, a button number, or /quit.\n`);
  const rl = readline.createInterface({ input: io.input, output: io.output, terminal: false });
  let buttons: Button[] = [];
  let n = 0;
  for await (const line of rl) {
    const text = line.trim();
    if (text === '/quit' || text === '/exit') break;
    if (!text) continue;
    const pressed = /^\d+$/.test(text) ? buttons[Number(text) - 1] : undefined;
    const turn = await desk.dialogue.handle({
      channel: 'terminal',
      chatId,
      deliveryId: String(++n),
      buyerId,
      localeHint: localeOrDefault(buyer.locale),
      ...(pressed ? { action: pressed.action } : { text }),
    });
    buttons = [];
    for (const reply of turn.replies) {
      io.output.write(`bot> ${reply.text.replace(/\n/g, '\n     ')}\n`);
      for (const b of reply.buttons ?? []) {
        buttons.push(b);
        io.output.write(`     [${buttons.length}] ${b.label}\n`);
      }
    }
  }
  rl.close();
}
