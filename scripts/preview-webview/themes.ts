/**
 * The --vscode-* variables the chat panel uses, with VS Code's Dark Modern and Light Modern
 * values (extensions/theme-defaults/themes/{dark,light}_modern.json; colours those files do not
 * set are the workbench's registered defaults). Only for the standalone preview: inside VS Code
 * the workbench injects the real ones.
 */
const shared = {
  'font-family': '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
  'font-size': '13px',
  'font-weight': 'normal',
  'editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  'editor-font-size': '14px',
  'editor-font-weight': 'normal',
  'editorLineNumber-foreground': '#6E7681',
  'errorForeground': '#F85149',
  'button-foreground': '#FFFFFF',
  'inputValidation-errorBorder': '#BE1100',
  'statusBarItem-warningForeground': '#FFFFFF',
};

export const THEMES: Record<'dark' | 'light', { name: string; bodyClass: string; vars: Record<string, string> }> = {
  dark: {
    name: 'Dark Modern',
    bodyClass: 'vscode-dark',
    vars: {
      ...shared,
      'editor-background': '#1F1F1F', 'editor-foreground': '#CCCCCC', 'foreground': '#CCCCCC', 'descriptionForeground': '#9D9D9D',
      'icon-foreground': '#CCCCCC', 'focusBorder': '#0078D4', 'widget-border': '#313131', 'panel-border': '#2B2B2B',
      'badge-background': '#616161', 'badge-foreground': '#F8F8F8',
      'button-background': '#0078D4', 'button-border': '#FFFFFF1A', 'button-hoverBackground': '#026EC1',
      'button-secondaryBackground': '#00000000', 'button-secondaryForeground': '#CCCCCC', 'button-secondaryHoverBackground': '#2B2B2B',
      'chat-avatarBackground': '#1F1F1F', 'chat-avatarForeground': '#CCCCCC', 'chat-requestBorder': '#FFFFFF1A',
      'dropdown-background': '#313131', 'dropdown-border': '#3C3C3C', 'dropdown-foreground': '#CCCCCC',
      'input-background': '#313131', 'input-border': '#3C3C3C', 'input-foreground': '#CCCCCC', 'input-placeholderForeground': '#989898',
      'inputValidation-errorBackground': '#5A1D1D',
      'keybindingLabel-background': '#8080802B', 'keybindingLabel-foreground': '#CCCCCC', 'keybindingLabel-border': '#33333399', 'keybindingLabel-bottomBorder': '#44444499',
      'editorWarning-foreground': '#CCA700', 'statusBarItem-warningBackground': '#7A6400',
      'textBlockQuote-background': '#2B2B2B', 'textBlockQuote-border': '#616161', 'textCodeBlock-background': '#2B2B2B',
      'textLink-foreground': '#4DAAFC', 'textLink-activeForeground': '#4DAAFC', 'textPreformat-foreground': '#D0D0D0', 'textPreformat-background': '#3C3C3C',
      'toolbar-hoverBackground': '#5A5D5E50',
      'scrollbarSlider-background': '#79797966', 'scrollbarSlider-hoverBackground': '#646464B3', 'scrollbarSlider-activeBackground': '#BFBFBF66',
      'debugTokenExpression-name': '#C586C0', 'debugTokenExpression-value': '#CCCCCC99', 'debugTokenExpression-string': '#CE9178',
      'debugTokenExpression-boolean': '#4E94CE', 'debugTokenExpression-number': '#B5CEA8',
      'symbolIcon-classForeground': '#EE9D28', 'symbolIcon-functionForeground': '#B180D7', 'symbolIcon-variableForeground': '#75BEFF',
      'gitDecoration-addedResourceForeground': '#81B88B', 'gitDecoration-deletedResourceForeground': '#C74E39',
    },
  },
  light: {
    name: 'Light Modern',
    bodyClass: 'vscode-light',
    vars: {
      ...shared,
      'editor-background': '#FFFFFF', 'editor-foreground': '#3B3B3B', 'foreground': '#3B3B3B', 'descriptionForeground': '#3B3B3B',
      'icon-foreground': '#3B3B3B', 'focusBorder': '#005FB8', 'widget-border': '#E5E5E5', 'panel-border': '#E5E5E5',
      'badge-background': '#CCCCCC', 'badge-foreground': '#3B3B3B',
      'button-background': '#005FB8', 'button-border': '#0000001A', 'button-hoverBackground': '#0258A8',
      'button-secondaryBackground': '#E5E5E5', 'button-secondaryForeground': '#3B3B3B', 'button-secondaryHoverBackground': '#CCCCCC',
      'chat-avatarBackground': '#F2F2F2', 'chat-avatarForeground': '#3B3B3B', 'chat-requestBorder': '#0000001A',
      'dropdown-background': '#FFFFFF', 'dropdown-border': '#CECECE', 'dropdown-foreground': '#3B3B3B',
      'input-background': '#FFFFFF', 'input-border': '#CECECE', 'input-foreground': '#3B3B3B', 'input-placeholderForeground': '#767676',
      'inputValidation-errorBackground': '#F2DEDE',
      'keybindingLabel-background': '#DDDDDD66', 'keybindingLabel-foreground': '#3B3B3B', 'keybindingLabel-border': '#CCCCCC66', 'keybindingLabel-bottomBorder': '#BBBBBB66',
      'editorWarning-foreground': '#BF8803', 'statusBarItem-warningBackground': '#725102',
      'textBlockQuote-background': '#F8F8F8', 'textBlockQuote-border': '#E5E5E5', 'textCodeBlock-background': '#F8F8F8',
      'textLink-foreground': '#005FB8', 'textLink-activeForeground': '#005FB8', 'textPreformat-foreground': '#3B3B3B', 'textPreformat-background': '#0000001F',
      'toolbar-hoverBackground': '#B8B8B850',
      'scrollbarSlider-background': '#64646466', 'scrollbarSlider-hoverBackground': '#646464B3', 'scrollbarSlider-activeBackground': '#00000099',
      'debugTokenExpression-name': '#9B46B0', 'debugTokenExpression-value': '#6C6C6CCC', 'debugTokenExpression-string': '#A31515',
      'debugTokenExpression-boolean': '#0000FF', 'debugTokenExpression-number': '#098658',
      'symbolIcon-classForeground': '#D67E00', 'symbolIcon-functionForeground': '#652D90', 'symbolIcon-variableForeground': '#007ACC',
      'gitDecoration-addedResourceForeground': '#587C0C', 'gitDecoration-deletedResourceForeground': '#AD0707',
    },
  },
};

/** The stylesheet the preview links before media/chat.css, as VS Code's webview host would set. */
export function themeCss(theme: keyof typeof THEMES): string {
  const { vars } = THEMES[theme];
  const lines = Object.entries(vars).map(([name, value]) => `  --vscode-${name}: ${value};`);
  // VS Code paints the editor background behind the webview; the page itself is transparent.
  return `/* ${THEMES[theme].name} (preview only) */\nhtml {\n${lines.join('\n')}\n  background: var(--vscode-editor-background);\n}\n`;
}
