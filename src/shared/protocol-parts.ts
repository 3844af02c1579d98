/**
 * The pieces the host↔webview messages (protocol.ts) are made of: the capped primitives, and the
 * entities both sides show or keep (a chat message, its attachments, a comparison, an error with
 * its actions). zod/mini, as protocol.ts explains; importers use protocol.ts, which re-exports
 * the entities.
 */
import * as z from 'zod/mini';

/** Caps keep a buggy or hostile peer from making the other side hold unbounded strings. */
export const MAX_TEXT = 1_000_000;
export const id = z.string().check(z.minLength(1), z.maxLength(128));
export const shortText = z.string().check(z.maxLength(2_000));
export const longText = z.string().check(z.maxLength(MAX_TEXT));
export const modelId = z.string().check(z.minLength(1), z.maxLength(512));
export const count = z.int().check(z.nonnegative());

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

// ---------------------------------------------------------------------------------------------
// Compare: one question to 2–4 models, answers side by side (docs/architecture.md#compare)

export const CompareColumnStatus = z.enum(['queued', 'running', 'done', 'error', 'stopped']);

/** One model's answer in a comparison, with its figures. */
export const CompareColumn = z.object({
  id,
  /** The model asked. */
  model: modelId,
  /** The model that answered, when it differs (a router fallback, the offline switch). */
  answeredBy: z.optional(modelId),
  /** Another model answered; `offline` when it was the offline switch, not a configured fallback. */
  fallback: z.optional(z.extend(Fallback, { offline: z.optional(z.boolean()) })),
  status: CompareColumnStatus,
  text: longText,
  ttftMs: z.optional(count),
  totalMs: z.optional(count),
  usage: z.optional(Usage),
  cost: z.optional(z.nullable(z.number().check(z.nonnegative()))),
  error: z.optional(ChatError),
});
export type CompareColumn = z.infer<typeof CompareColumn>;

/** A comparison as the thread keeps it: the question, the columns, and the one continued with. */
export const CompareRun = z.object({
  prompt: longText,
  columns: z.array(CompareColumn).check(z.minLength(2), z.maxLength(4)),
  /** The column whose answer became the conversation's next turn. */
  chosenColumnId: z.optional(id),
});
export type CompareRun = z.infer<typeof CompareRun>;

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

/** Images the host made from bytes it checked; the only images the webview CSP lets in (`img-src data:`). */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const imageDataUrl = z.string().check(
  z.maxLength(Math.ceil(MAX_IMAGE_BYTES / 3) * 4 + 40),
  z.regex(/^data:image\/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$/),
);

/**
 * Context the user attached to a message (docs/architecture.md#context-attachments): read by the
 * host, shown as a chip with its name and token estimate. `content` is what the model gets; it
 * stays in the host (the store keeps it) and is left out of what the webview is sent.
 */
export const Attachment = z.object({
  id,
  kind: z.enum(['file', 'selection', 'problems', 'image']),
  /** What the chip says: `src/a.ts`, `src/a.ts lines 3–9`, `Problems in src/a.ts`, `screenshot.png`. */
  name: shortText,
  tokens: count,
  /** Said on the chip when the host cut the content: never cut silently. */
  note: z.optional(shortText),
  /** Images only: the `data:` URL the host made (the thumbnail, and what a vision model gets). */
  dataUrl: z.optional(imageDataUrl),
  content: z.optional(longText),
});
export type Attachment = z.infer<typeof Attachment>;

/** What the composer's meter needs: the host's token counts for the model that would answer. */
export const ContextUsage = z.object({
  model: modelId,
  /** The part of the conversation that would be sent (after any dropped oldest turns). */
  historyTokens: count,
  attachmentTokens: count,
  /** Null when nobody knows the model's window. */
  contextWindow: z.nullable(count),
  /** False when the model is known not to take images. */
  vision: z.boolean(),
  /** Messages left out at the start of the conversation to fit the window. */
  droppedMessages: z.optional(count),
});
export type ContextUsage = z.infer<typeof ContextUsage>;

/** One entry of the thread. `notice` is an informational line, e.g. the offline switch; `compare` holds a comparison in `compare`. */
export const ChatMessage = z.object({
  id,
  role: z.enum(['user', 'assistant', 'notice', 'compare']),
  text: longText,
  /** The model that answered (assistant) or was asked (user). */
  model: z.optional(modelId),
  fallback: z.optional(Fallback),
  usage: z.optional(Usage),
  /** US dollars; null when the price of the model is unknown. */
  cost: z.optional(z.nullable(z.number().check(z.nonnegative()))),
  finishReason: z.optional(FinishReason),
  error: z.optional(ChatError),
  compare: z.optional(CompareRun),
  reasoning: z.optional(Reasoning),
  /** A question that was edited: the id of its first version, shared by every version. */
  slot: z.optional(id),
  /** Set by the host on a question with several versions, for the ‹ 1/2 › switcher. */
  branch: z.optional(BranchInfo),
  attachments: z.optional(z.array(Attachment).check(z.maxLength(50))),
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
