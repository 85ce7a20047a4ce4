/**
 * Display names come from Telegram and Zalo, chosen by whoever owns the account, and we
 * show them to other people (the referrer, staff, the landing page). A name is a phishing
 * channel unless it is cleaned first: no links, no handles or bot commands (Telegram makes
 * those tappable in plain text), no markup, no invisible or direction-changing characters.
 */
export const MAX_NAME_LENGTH = 64;

// Anything with a scheme (http://, tg://, javascript:), www., or a host with a path.
const schemeUrl = /\b[a-z][a-z\d+.-]*:\/\/\S*|\b(?:javascript|data|vbscript|mailto|tel|tg|intent):\S*/giu;
const wwwUrl = /\bwww\.\S*/giu;
const email = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
// A bare host: labels joined by dots ending in a 2+ letter top-level label ("evil.example",
// "t.me/x", "bit.ly"), with whatever path follows. A dot followed by a space is prose.
const bareDomain = /(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+(?:[a-z]{2,}|xn--[a-z\d-]+)\b(?:[/:?#]\S*)?/giu;
const ipAddress = /\b\d{1,3}(?:\.\d{1,3}){3}\b(?:[/:]\S*)?/gu;
const handle = /(?:^|(?<=\s))[@/#][\p{L}\p{N}_]+/gu;
const htmlTag = /<[^<>]*>/gu;
// [text](url) keeps the text; the url is gone with the brackets.
const markdownLink = /\[([^\]]*)\]\([^)]*\)/gu;
const markupCharacters = /[<>[\]{}`*_~|\\^=]/gu;
// Line breaks, tabs and other controls separate words; format characters (zero-width,
// bidi overrides), private-use characters and lone surrogates are dropped.
const separators = /[\p{Cc}\p{Zl}\p{Zp}]/gu;
// A zero-width joiner inside an emoji sequence (👩‍💻) is part of the emoji and stays.
const invisible = /(?!(?<=\p{Extended_Pictographic}\uFE0F?)\u200D(?=\p{Extended_Pictographic}))[\p{Cf}\p{Co}\p{Cs}]/gu;
// Full-width and ideographic dots read as dots ("evil。example").
const dots = /[。｡．]/gu;
// More than two combining marks on one letter is "Zalgo" text; Vietnamese needs two at most.
const stackedMarks = /(\p{M}{2})\p{M}+/gu;
const edgePunctuation = /^[\s:;,.!?\-–—/|]+|[\s:;,.!?\-–—/|]+$/gu;

/** The name as it may be shown to someone else, or undefined when nothing decent remains. */
export function cleanDisplayName(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  // NFKC: full-width letters become plain ones, so "ｅｖｉｌ.com" is seen as the link it is.
  const name = raw
    .normalize('NFKC')
    .replace(separators, ' ')
    .replace(invisible, '')
    .replace(dots, '.')
    .replace(markdownLink, ' $1 ')
    .replace(htmlTag, ' ')
    .replace(schemeUrl, ' ')
    .replace(wwwUrl, ' ')
    .replace(email, ' ')
    .replace(ipAddress, ' ')
    .replace(bareDomain, ' ')
    .replace(handle, ' ')
    .replace(markupCharacters, ' ')
    .replace(stackedMarks, '$1')
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(edgePunctuation, '')
    .trim();
  if (!/[\p{L}\p{N}\p{Extended_Pictographic}]/u.test(name)) return undefined;
  return truncate(name, MAX_NAME_LENGTH);
}

/** The first `max` characters as a person sees them (an emoji or a letter with its marks is one). */
function truncate(text: string, max: number): string {
  const graphemes = [...new Intl.Segmenter('vi', { granularity: 'grapheme' }).segment(text)].map((s) => s.segment);
  return graphemes.length <= max ? text : graphemes.slice(0, max).join('').trimEnd();
}

// Family names that start most Vietnamese full names. A name typed without diacritics
// ("Nguyen Van Minh", as many chat names are) matches their unmarked form; a word with marks
// must match exactly, so "Chủ tiệm" (a shop owner) is not read as the family name Chu.
const vietnameseFamilyNames = (
  'Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn Vương Trịnh Trương Lâm Phùng Tô ' +
  'Tạ Châu Cao Lương Đinh Thái Quách Lưu Kiều Tôn Lại Chu Từ La Triệu Hứa Thân Khúc Giang Nghiêm Diệp Tăng Mạc Doãn ' +
  'Ưng Âu Quan Kha'
).split(' ');
const withoutMarks = (word: string) => word.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase();

/** "Số Điện Thoại " → "so dien thoai": lower case, without diacritics, words of letters and digits split by single spaces. */
export function plainText(text: string): string {
  return withoutMarks(text)
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The shortest start of a word a name search matches ("ng" finds Nguyễn). */
const SHORTEST_PREFIX = 2;

/**
 * What a name is found by: each of its words without diacritics, and their starts from two
 * letters ("Nguyễn Thị Lân" → nguyen, ngu…, thi, th, lan, la). Stored with the customer
 * (`nameWords`), so a search is one equality lookup, never a scan with a pattern.
 */
export function nameSearchKeys(name: string): string[] {
  const keys = new Set<string>();
  for (const word of plainText(name).split(' ').filter(Boolean)) {
    for (let end = Math.min(SHORTEST_PREFIX, word.length); end <= word.length; end += 1) keys.add(word.slice(0, end));
  }
  return [...keys];
}
const markedFamilyNames = new Set(vietnameseFamilyNames.map((name) => name.toLowerCase()));
const unmarkedFamilyNames = new Set(vietnameseFamilyNames.map(withoutMarks));

function isFamilyName(word: string): boolean {
  const plain = withoutMarks(word);
  return plain === word.toLowerCase() ? unmarkedFamilyNames.has(plain) : markedFamilyNames.has(word.toLowerCase());
}

/**
 * The name to greet or mention someone by. A Vietnamese full name puts the family name first
 * and the given name last ("Nguyễn Thị Hoa" → "Hoa"); any other name is used whole, since
 * "Hoa Nguyễn" or "John Smith" already start with the name people are called by.
 */
export function givenName(fullName: string): string {
  const words = fullName.trim().split(/\s+/u).filter(Boolean);
  if (words.length < 2 || !isFamilyName(words[0] ?? '')) return fullName.trim();
  // The last word that is a name, not a trailing emoji ("Nguyễn Thị Hoa 🌸" → "Hoa").
  return [...words].reverse().find((word) => /\p{L}/u.test(word)) ?? fullName.trim();
}

/** What the back office searches and sorts a name by, written with every change of `name`. */
export const nameFields = (name: string) => ({ nameWords: nameSearchKeys(name), nameKey: plainText(name) });
