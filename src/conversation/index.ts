// The conversation module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export { ChatDelivery } from './chat-delivery.ts';
export { ChatTokenError, ChatTokens, type TokenProblem } from './chat-tokens.ts';
export { ConversationLog, type Direction, type LoggedMessage } from './conversation-log.ts';
export { type AgentDesk, DialogueEngine } from './dialogue.ts';
export { type GuideBook, loadGuides, pickGuide } from './guides.ts';
export { type Button, chatRate, type OutboundMessage } from './messages.ts';
export { findSavedReply, loadSavedReplies, savedReplies, type SavedReply, type SavedReplyBook } from './saved-replies.ts';
export { SatisfactionSurvey } from './satisfaction.ts';
export { BIND_REPLIES, say, STATUS_WORDS, waitingForPerson, WIDGET_OPEN_PROBLEMS } from './texts.ts';
