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
 */
import * as z from 'zod/mini';

/** Bumped when a message changes shape; the host can refuse a stale webview bundle. */
export const PROTOCOL_VERSION = 1;

/** Caps keep a buggy or hostile peer from making the other side hold unbounded strings. */
const MAX_TEXT = 1_000_000;
const id = z.string().check(z.minLength(1), z.maxLength(128));
const shortText = z.string().check(z.maxLength(2_000));
const longText = z.string().check(z.maxLength(MAX_TEXT));
const modelId = z.string().check(z.minLength(1), z.maxLength(512));
const count = z.int().check(z.nonnegative());

// ---------------------------------------------------------------------------------------------
// Shared pieces

/**
 * What the error's action buttons do; the host decides how (QuickPick, SecretStorage, resend).
 * `allowKey` asks whether a provider's key may go to a custom endpoint; `startOllama` and
 * `pullModel` open a terminal with the Ollama command (the user sees what runs).
 */
export const ErrorAction = z.enum(['setKey', 'pickModel', 'retry', 'allowKey', 'startOllama', 'pullModel']);
export type ErrorAction = z.infer<typeof ErrorAction>;

/** Token counts as the core's `Usage` reports them (normalised across providers). */
export const Usage = z.object({
  inputTokens: count,
  outputTokens: count,
  totalTokens: count,
});
export type Usage = z.infer<typeof Usage>;

/** Why an answer ended: the core's FinishReason, plus `stopped` when the user pressed stop. */
export const FinishReason = z.enum(['stop', 'length', 'tool_calls', 'content_filter', 'stopped']);
export type FinishReason = z.infer<typeof FinishReason>;

/** Set when another model answered than the one asked for: labelled (docs/architecture.md#retries-and-fallbacks). */
export const Fallback = z.object({
  requestedModel: modelId,
  reason: z.optional(shortText),
});
export type Fallback = z.infer<typeof Fallback>;

export const ChatError = z.object({
  message: z.string().check(z.minLength(1), z.maxLength(4_000)),
  /** The core's ErrorKind (`Authentication`, `RateLimit`, `APIConnection`, ...). */
  kind: z.string().check(z.minLength(1), z.maxLength(64)),
  actions: z.array(ErrorAction).check(z.maxLength(4)),
});
export type ChatError = z.infer<typeof ChatError>;

/** What the model thought before answering (Anthropic thinking, `reasoning_content`, Gemini thoughts, Ollama `thinking`). */
export const Reasoning = z.object({
  text: longText,
  /** From the first thought to the first word of the answer. */
  durationMs: z.optional(count),
});
export type Reasoning = z.infer<typeof Reasoning>;

/** How hard a reasoning model thinks; the core maps it to each provider's setting. */
export const ReasoningEffort = z.enum(['off', 'low', 'medium', 'high']);
export type ReasoningEffort = z.infer<typeof ReasoningEffort>;

/** Which version of an edited question is shown: `index` of `count` (0-based). */
export const BranchInfo = z.object({ index: count, count: count });
export type BranchInfo = z.infer<typeof BranchInfo>;

/** One entry of the thread. `notice` is an informational line, e.g. the offline switch. */
export const ChatMessage = z.object({
  id,
  role: z.enum(['user', 'assistant', 'notice']),
  text: longText,
  /** The model that answered (assistant) or was asked (user). */
  model: z.optional(modelId),
  fallback: z.optional(Fallback),
  usage: z.optional(Usage),
  /** US dollars; null when the price of the model is unknown. */
  cost: z.optional(z.nullable(z.number().check(z.nonnegative()))),
  finishReason: z.optional(FinishReason),
  error: z.optional(ChatError),
  reasoning: z.optional(Reasoning),
  /** A question that was edited: the id of its first version, shared by every version. */
  slot: z.optional(id),
  /** Set by the host on a question with several versions, for the ‹ 1/2 › switcher. */
  branch: z.optional(BranchInfo),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

export const ConversationSummary = z.object({
  id,
  title: shortText,
  /** Epoch milliseconds of the last message. */
  updatedAt: count,
});
export type ConversationSummary = z.infer<typeof ConversationSummary>;

export const ModelOption = z.object({
  id: modelId,
  label: z.optional(shortText),
  /** Runs on this machine (Ollama, a local vLLM): free and works offline. */
  local: z.optional(z.boolean()),
  /** The provider needs a key that is not stored yet. */
  missingKey: z.optional(z.boolean()),
  /** The model can reason before answering: the header offers the reasoning-effort control. */
  reasoning: z.optional(z.boolean()),
});
export type ModelOption = z.infer<typeof ModelOption>;

export const OfflineNotice = z.object({
  active: z.boolean(),
  /** The local model answering while offline. */
  model: z.optional(modelId),
  message: shortText,
});
export type OfflineNotice = z.infer<typeof OfflineNotice>;

/** The instruction files used as the system prompt, by name only (the host opens them). */
export const InstructionsInfo = z.object({
  files: z.array(z.object({ name: shortText, truncated: z.boolean() })).check(z.maxLength(8)),
  /** anymodel.systemPrompt is set and part of the prompt. */
  setting: z.boolean(),
  /** Why files were not read or were cut (an untrusted workspace, the size cap). */
  note: z.optional(shortText),
});
export type InstructionsInfo = z.infer<typeof InstructionsInfo>;

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
  reasoningEffort: z.optional(ReasoningEffort),
  instructions: z.optional(z.nullable(InstructionsInfo)),
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

export const HostMessage = z.discriminatedUnion('type', [
  HostState, HostModels, HostMessageAdded, HostStreamStart, HostStreamDelta, HostStreamEnd,
  HostStreamError, HostOffline, HostSetDraft, HostReply, HostStreamReasoning, HostInstructions,
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
