// Slack reads &, < and > in message text and in mrkdwn text objects as control characters:
// <!channel> pings everyone, <https://evil.example|slack.com/signin> is a link dressed as another,
// <@U…> mentions a person, &amp; is an entity. Every piece of text from outside the desk (a buyer's
// words, names, product titles, reasons, notes, merchants' digests, providers' and jobs' messages,
// even platform ids) goes into Slack text only through these helpers, so it shows as typed and does
// nothing. Slack asks for exactly these three characters to be escaped, nothing else
// (https://api.slack.com/reference/surfaces/formatting#escaping). plain_text objects (headers,
// buttons, options, modal titles, labels and hints) are not parsed and take text as it is.

/** Outside text made inert for Slack message text and mrkdwn text objects. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Outside text (an id, evidence) as an inline code span: escaped, and unable to close the span early. */
export function codeSpan(text: string): string {
  return `\`${escapeMrkdwn(text.replace(/`/g, 'ˋ'))}\``;
}
