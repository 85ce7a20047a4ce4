// Until the erasure pages move to templates (views/back-office), they build their HTML with these.
export { escapeHtml, htmlPage } from '../domain/html.js';
