// Documents the chat sends too (the processing record) are written in src/domain, so the page helpers live there.
export { escapeHtml, htmlPage } from '../domain/html.js';
