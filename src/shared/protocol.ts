/**
 * The messages between the extension host and the chat webview: one file, imported by both sides.
 *
 * Every message is validated with zod on arrival
 * (docs/architecture.md#validation-at-every-boundary): the webview is a separate origin that
 * renders untrusted model output, and the host is the only side holding keys, so neither trusts
 * what the other posts. `zod/mini` rather than classic `zod`: the classic build pulls ~450 KB into
 * the browser bundle, mini ~13 KB, with the same runtime checks.
 *
 * Request/reply (the vscode-pull-request-github pattern): a webview message that carries a
 * `requestId` expects exactly one host message carrying `inReplyTo` with the same id. The
 * webview opens with `ready` and the host answers it with `state`; the host must not post stream
 * events before that first `ready` (messages to a webview that has not loaded yet are lost).
 *
 * The entities the messages carry (a chat message, an attachment, a comparison, an error) are in
 * protocol-parts.ts and re-exported here.
 */
import * as z from 'zod/mini';
import { Attachment, ChatError, ChatMessage, CompareColumn, ContextUsage, ConversationSummary, count, ErrorAction, Fallback, FinishReason, id, InstructionsInfo, longText, MAX_IMAGE_BYTES, MAX_TEXT, modelId, ModelOption, OfflineNotice, ReasoningEffort, shortText, Usage } from './protocol-parts';

/** Bumped when a message changes shape; the host can refuse a stale webview bundle. */
export const PROTOCOL_VERSION = 1;

export { ErrorAction, Usage, FinishReason, Fallback, ChatError, CompareColumnStatus, CompareColumn, CompareRun, Reasoning, ReasoningEffort, BranchInfo, MAX_IMAGE_BYTES, Attachment, ContextUsage, ChatMessage, ConversationSummary, ModelOption, OfflineNotice, InstructionsInfo } from './protocol-parts';

// ---------------------------------------------------------------------------------------------
// Extension host → webview

const HostState = z.object({
  type: z.literal('state'),
  inReplyTo: z.optional(id),
  conversations: z.array(ConversationSummary).check(z.maxLength(10_000)),
  activeConversationId: z.nullable(id),
  messages: z.array(ChatMessage).check(z.maxLength(10_000)),
  draft: longText,
  models: z.array(ModelOption).check(z.maxLength(2_000)),
  currentModel: z.nullable(modelId),
  offline: z.nullable(OfflineNotice),
  /** The answer still streaming when the webview reloaded, so its stop button comes back. */
  streamingMessageId: z.optional(z.nullable(id)),
  /** What keeps the current model from answering (Ollama not running), shown before the first question. */
  modelProblem: z.optional(z.nullable(ChatError)),
  /** The comparison still running when the webview reloaded; other unfinished columns were cut off. */
  comparingMessageId: z.optional(z.nullable(id)),
  reasoningEffort: z.optional(ReasoningEffort),
  instructions: z.optional(z.nullable(InstructionsInfo)),
  /** The attachments waiting in the composer, and the meter's counts. */
  attachments: z.optional(z.array(Attachment).check(z.maxLength(50))),
  context: z.optional(z.nullable(ContextUsage)),
  /** How many messages come before `messages`: a long conversation is sent a page at a time (olderPage). */
  olderMessages: z.optional(count),
});

/**
 * A long conversation's older messages, a page at a time (docs/architecture.md#long-conversations):
 * `state` carries the newest page, and each `loadOlder` the page before the oldest one shown.
 */
export const MAX_PAGE_MESSAGES = 200;
const HostOlderPage = z.object({
  type: z.literal('olderPage'),
  inReplyTo: id,
  conversationId: id,
  /** The messages just before `beforeMessageId`, oldest first. */
  beforeMessageId: id,
  messages: z.array(ChatMessage).check(z.maxLength(MAX_PAGE_MESSAGES)),
  /** How many are still older than this page. */
  olderMessages: count,
});

const HostModels = z.object({
  type: z.literal('models'),
  models: z.array(ModelOption).check(z.maxLength(2_000)),
  currentModel: z.nullable(modelId),
  modelProblem: z.optional(z.nullable(ChatError)),
  reasoningEffort: z.optional(ReasoningEffort),
});

/** Reasoning text of a streaming answer, before (or between) its text deltas. */
const HostStreamReasoning = z.object({
  type: z.literal('streamReasoning'),
  messageId: id,
  text: longText,
});

const HostInstructions = z.object({ type: z.literal('instructions'), instructions: z.nullable(InstructionsInfo) });

const HostMessageAdded = z.object({
  type: z.literal('messageAdded'),
  conversationId: id,
  message: ChatMessage,
});

const HostStreamStart = z.object({
  type: z.literal('streamStart'),
  conversationId: id,
  messageId: id,
  model: modelId,
  fallback: z.optional(Fallback),
});

const HostStreamDelta = z.object({
  type: z.literal('streamDelta'),
  messageId: id,
  text: longText,
});

const HostStreamEnd = z.object({
  type: z.literal('streamEnd'),
  messageId: id,
  usage: z.optional(Usage),
  cost: z.nullable(z.number().check(z.nonnegative())),
  finishReason: FinishReason,
});

const HostStreamError = z.object({
  type: z.literal('streamError'),
  /** The failed answer; when the request failed before an answer started (bad key, unknown model) the
   * view does not know it yet and shows the error as that answer. Absent from older hosts. */
  messageId: z.optional(id),
  message: ChatError.shape.message,
  kind: ChatError.shape.kind,
  actions: ChatError.shape.actions,
});

const HostOffline = z.object({ type: z.literal('offline'), notice: OfflineNotice });

/** Replaces or extends the draft, e.g. `anymodel.addSelectionToChat`. */
const HostSetDraft = z.object({
  type: z.literal('setDraft'),
  text: longText,
  mode: z.enum(['replace', 'append']),
});

/** Acknowledges a request; `ok: false` carries a message the webview shows in the thread. */
const HostReply = z.object({
  type: z.literal('reply'),
  inReplyTo: id,
  ok: z.boolean(),
  error: z.optional(shortText),
});

/** Compare mode on (with the models picked) or off (null). */
const HostCompareMode = z.object({ type: z.literal('compareMode'), models: z.nullable(z.array(modelId).check(z.minLength(2), z.maxLength(4))) });
/** A column changed state (started, answered by whom, finished, failed); its text comes in compareDelta. */
const HostCompareColumn = z.object({ type: z.literal('compareColumn'), messageId: id, column: CompareColumn });
const HostCompareDelta = z.object({ type: z.literal('compareDelta'), messageId: id, columnId: id, text: longText });
const HostCompareChosen = z.object({ type: z.literal('compareChosen'), messageId: id, columnId: id });
/** The comparison is over (every column settled). */
const HostCompareEnd = z.object({ type: z.literal('compareEnd'), messageId: id });

/** The composer's attachments changed (one added or removed, or taken by a send). */
const HostAttachments = z.object({ type: z.literal('attachments'), attachments: z.array(Attachment).check(z.maxLength(50)) });
const HostContext = z.object({ type: z.literal('context'), context: ContextUsage });
/** Workspace paths matching a `#` mention, answering `mentionQuery`. */
const HostMentions = z.object({ type: z.literal('mentions'), inReplyTo: id, paths: z.array(shortText).check(z.maxLength(50)) });

export const HostMessage = z.discriminatedUnion('type', [
  HostState, HostModels, HostMessageAdded, HostStreamStart, HostStreamDelta, HostStreamEnd,
  HostStreamError, HostOffline, HostSetDraft, HostReply, HostStreamReasoning, HostInstructions,
  HostCompareMode, HostCompareColumn, HostCompareDelta, HostCompareChosen, HostCompareEnd,
  HostAttachments, HostContext, HostMentions, HostOlderPage,
]);
export type HostMessage = z.infer<typeof HostMessage>;
export type HostStateMessage = z.infer<typeof HostState>;

// ---------------------------------------------------------------------------------------------
// Webview → extension host

const code = z.string().check(z.maxLength(MAX_TEXT));
const language = z.string().check(z.maxLength(64));

export const WebviewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), requestId: id, protocolVersion: z.int() }),
  z.object({
    type: z.literal('send'),
    requestId: z.optional(id),
    /** Id the webview gave the user message, so both sides name it the same. */
    messageId: id,
    conversationId: z.nullable(id),
    text: z.string().check(z.minLength(1), z.maxLength(MAX_TEXT)),
    model: modelId,
    /** The composer's attachments that go with it (ids the host gave them). */
    attachmentIds: z.optional(z.array(id).check(z.maxLength(50))),
    /** The user chose to leave the oldest turns out so the request fits the model's window. */
    dropOldest: z.optional(z.boolean()),
  }),
  z.object({ type: z.literal('stop'), messageId: z.optional(id) }),
  z.object({ type: z.literal('newChat') }),
  z.object({ type: z.literal('switchConversation'), conversationId: id }),
  z.object({ type: z.literal('switchModel'), model: modelId }),
  /** Resend the request behind a failed or unsatisfying answer. */
  z.object({ type: z.literal('retry'), messageId: z.optional(id) }),
  z.object({ type: z.literal('copyCode'), code, language }),
  z.object({ type: z.literal('insertCode'), code, language }),
  /** Apply as a diff the user reviews; the host never writes without that review. */
  z.object({ type: z.literal('applyCode'), code, language }),
  /** Any link in model output; the host checks the scheme again and asks before opening. */
  z.object({ type: z.literal('openLink'), url: z.string().check(z.minLength(1), z.maxLength(8_192)) }),
  z.object({ type: z.literal('draftChanged'), text: longText }),
  z.object({ type: z.literal('action'), kind: ErrorAction, messageId: z.optional(id) }),
  // Compare (docs/architecture.md#compare)
  /** Open the model picker for compare mode (the header's Compare button). */
  z.object({ type: z.literal('pickCompareModels') }),
  /** Ask `models` the same question, with the conversation so far. */
  z.object({
    type: z.literal('compare'),
    requestId: z.optional(id),
    messageId: id,
    conversationId: z.nullable(id),
    text: z.string().check(z.minLength(1), z.maxLength(MAX_TEXT)),
    models: z.array(modelId).check(z.minLength(2), z.maxLength(4)),
    /** The composer's attachments, sent to every model with the question. */
    attachmentIds: z.optional(z.array(id).check(z.maxLength(50))),
  }),
  /** Stop one column, or every column when columnId is absent. */
  z.object({ type: z.literal('stopCompare'), messageId: id, columnId: z.optional(id) }),
  /** Make this column's answer the conversation's next turn and go on with its model. */
  z.object({ type: z.literal('continueCompare'), messageId: id, columnId: id }),
  /** An error action pressed in a failed column. */
  z.object({ type: z.literal('compareAction'), messageId: id, columnId: id, kind: ErrorAction }),
  z.object({ type: z.literal('setReasoningEffort'), effort: ReasoningEffort }),
  /** Opens an instruction file the host said is in use (by name: the webview never names a path). */
  z.object({ type: z.literal('openInstructions'), name: shortText }),
  /** Resends an earlier question with new text; the answers after it become a branch kept aside. */
  z.object({
    type: z.literal('editMessage'),
    requestId: z.optional(id),
    messageId: id,
    text: z.string().check(z.minLength(1), z.maxLength(MAX_TEXT)),
    model: modelId,
  }),
  /** Shows another version of an edited question (and the answers that followed it). */
  z.object({ type: z.literal('switchBranch'), messageId: id, index: count }),
  /** A new answer to the question before `messageId`, by `model` (the answer's own when absent); the old one is kept as a branch. */
  z.object({ type: z.literal('regenerate'), messageId: id, model: z.optional(modelId) }),
  z.object({ type: z.literal('threadAction'), kind: z.enum(['copyMarkdown', 'export', 'import']) }),
  /**
   * Attach context; the host reads it, checks it and answers with a reply (an error says why it
   * was refused). `menu` asks the host to offer its sources (files, active editor, selection,
   * problems); `path` is a workspace path from a `#` mention; `uris` were dropped from the
   * Explorer; `image` is a pasted or dropped image the host checks and re-encodes.
   */
  z.object({
    type: z.literal('attach'),
    requestId: z.optional(id),
    source: z.enum(['menu', 'files', 'activeFile', 'selection', 'problems', 'path', 'uris', 'image']),
    path: z.optional(shortText),
    uris: z.optional(z.array(z.string().check(z.maxLength(8_192))).check(z.maxLength(50))),
    dataUrl: z.optional(z.string().check(z.maxLength(Math.ceil(MAX_IMAGE_BYTES / 3) * 4 + 200))),
    name: z.optional(shortText),
  }),
  z.object({ type: z.literal('detach'), id }),
  z.object({ type: z.literal('mentionQuery'), requestId: z.optional(id), query: z.string().check(z.maxLength(200)) }),
  /** The page of messages before `beforeMessageId` (the oldest one shown), answered by olderPage. */
  z.object({ type: z.literal('loadOlder'), requestId: id, conversationId: id, beforeMessageId: id }),
  /** A model whose window holds `tokens`: the host offers the ones that do. */
  z.object({ type: z.literal('pickLargerModel'), tokens: count }),
]);
export type WebviewMessage = z.infer<typeof WebviewMessage>;

/** Narrows a message union to one `type`, e.g. `MessageOf<WebviewMessage, 'send'>`. */
export type MessageOf<M extends { type: string }, T extends M['type']> = Extract<M, { type: T }>;

// ---------------------------------------------------------------------------------------------
// Parsing

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string };

/**
 * Validates an incoming message. The error names the message type and every offending field
 * (`streamDelta.text: expected string, got number`) so a log line says what was wrong.
 * zod/mini ships no English messages, hence the small formatter below.
 */
export function parseMessage<T>(schema: z.ZodMiniType<T>, raw: unknown): ParseResult<T> {
  // reportInput: the formatter says what type arrived (only its type, never its content).
  const result = schema.safeParse(raw, { reportInput: true });
  if (result.success) return { ok: true, message: result.data };
  const type = typeof raw === 'object' && raw !== null && typeof (raw as { type?: unknown }).type === 'string'
    ? String((raw as { type: string }).type).slice(0, 40)
    : '(no type)';
  const problems = result.error.issues.slice(0, 5).map((issue) => {
    const at = issue.path.length > 0 ? issue.path.map(String).join('.') : '(message)';
    return `${type}.${at}: ${describeIssue(issue)}`;
  });
  return { ok: false, error: `Invalid message: ${problems.join('; ')}` };
}

export const parseHostMessage = (raw: unknown): ParseResult<HostMessage> => parseMessage(HostMessage, raw);
export const parseWebviewMessage = (raw: unknown): ParseResult<WebviewMessage> => parseMessage(WebviewMessage, raw);

type Issue = z.core.$ZodIssue;

function describeIssue(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}, got ${issue.input === null ? 'null' : typeof issue.input}`;
    case 'too_big':
      return issue.origin === 'string' ? `longer than ${issue.maximum} characters`
        : issue.origin === 'array' ? `more than ${issue.maximum} items` : `greater than ${issue.maximum}`;
    case 'too_small':
      return issue.origin === 'string' ? (Number(issue.minimum) === 1 ? 'must not be empty' : `shorter than ${issue.minimum} characters`)
        : `less than ${issue.minimum}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'unknown message type';
    case 'invalid_format':
      return `invalid ${issue.format}`;
    default:
      return issue.code.replace(/_/g, ' ');
  }
}
