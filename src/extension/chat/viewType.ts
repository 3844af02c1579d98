/** The chat webview's view type; also in package.json (activationEvents onWebviewPanel). */
export const CHAT_VIEW_TYPE = 'anymodel.chat';
