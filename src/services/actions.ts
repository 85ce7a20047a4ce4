import { generateCode } from '../domain/codes.js';
import type { Models } from '../db/models/index.js';
import type { ServicePieces } from './context.js';
import { isDuplicateKey } from './duplicate-key.js';
import { deleteEach } from '../db/each-value.js';

/** How long a button works on Telegram: the length of a visit at the counter, not a day. */
export const BUTTON_LIFETIME_MS = 30 * 60_000;
/** How long a numbered choice works on Zalo, where "1" could mean any earlier list. */
export const NUMBERED_CHOICE_LIFETIME_MS = 5 * 60_000;
/** Long enough not to be guessed (31^16, about 2^79), short enough for Telegram's 64-byte callback data. */
const TOKEN_LENGTH = 16;
/** Longer than any action runs: a claim this old with no outcome belongs to a press that failed. */
const ABANDONED_CLAIM_MS = 2 * 60_000;
const REF_PATTERN = /^([A-Z2-9]{16})\.(\d{1,2})$/;

export type PressResult =
  /** Run `action` now, with `requestKey` (one per card), then report the outcome with `recordOutcome`. */
  | { ok: true; token: string; action: string; requestKey: string }
  /** Not a card of this person (another chat's button, a guessed or an outdated one). */
  | { ok: false; reason: 'unknown' }
  | { ok: false; reason: 'expired' }
  /** The card was used; `outcome` is what its action answered (absent while the first press runs). */
  | { ok: false; reason: 'already_done'; doneAt?: Date; outcome?: string }
  | { ok: false; reason: 'out_of_range'; choices: number };

/**
 * One-time buttons. A reply's buttons are registered as one card tied to the chat identity
 * that was shown them; pressing any of them claims the card (an insert under a unique key,
 * the only exclusive write on FerretDB), so the card acts once however often it is pressed,
 * and the action runs with a request key derived from the card, not from the press.
 */
export type ActionServiceDeps = Pick<ServicePieces, 'now' | 'claims'> & { models: Pick<Models, 'ActionCard' | 'PendingChoice'> };

/** Kept a day past expiry so a late press still hears "expired" rather than "unknown". */
const ACTION_CARD_RETENTION_DAYS = 1;

export function createActionService(ctx: ActionServiceDeps) {
  const { models, claims } = ctx;
  const claimKey = (token: string) => `action:${token}`;

  /**
   * Registers the buttons of one reply for `identity`; returns what each button sends back.
   * `numbered` (chats without buttons): the card also becomes the chat's current numbered list.
   */
  async function register(identity: string, actions: string[], numbered: boolean): Promise<string[]> {
    const token = generateCode(TOKEN_LENGTH);
    const lifetime = numbered ? NUMBERED_CHOICE_LIFETIME_MS : BUTTON_LIFETIME_MS;
    await models.ActionCard.create({ token, identity, actions, expiresAt: new Date(ctx.now().getTime() + lifetime) });
    if (numbered) {
      const point = () => models.PendingChoice.updateOne({ identity }, { $set: { token } }, { upsert: true });
      // Two concurrent first lists in one chat: the loser's upsert collides, and then updates.
      await point().catch(async (error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
        await point();
      });
    }
    return actions.map((_, index) => `${token}.${index}`);
  }

  /** A press of the button `ref` (as `register` returned it) by `identity`. */
  async function press(identity: string, ref: string): Promise<PressResult> {
    const match = REF_PATTERN.exec(ref);
    if (!match) return { ok: false, reason: 'unknown' };
    const token = match[1] ?? '';
    const index = Number(match[2]);
    const card = await models.ActionCard.findOne({ token }).lean();
    // Someone else's card does nothing and says nothing about it.
    if (!card || card.identity !== identity) return { ok: false, reason: 'unknown' };
    if (card.doneAt) return { ok: false, reason: 'already_done', doneAt: card.doneAt, outcome: card.outcome ?? undefined };
    const action = card.actions[index];
    if (action === undefined) return { ok: false, reason: 'out_of_range', choices: card.actions.length };
    if (card.expiresAt <= ctx.now()) {
      const used = await claims.holder(claimKey(token));
      return used ? { ok: false, reason: 'already_done' } : { ok: false, reason: 'expired' };
    }
    if (!(await claims.take(claimKey(token), identity)) && !(await reclaimAbandoned(token, identity))) {
      const done = await models.ActionCard.findOne({ token }, { doneAt: 1, outcome: 1 }).lean();
      return { ok: false, reason: 'already_done', doneAt: done?.doneAt ?? undefined, outcome: done?.outcome ?? undefined };
    }
    return { ok: true, token, action, requestKey: `card:${token}` };
  }

  /**
   * A claim whose action never finished (the process died or the database went away before
   * `release` could run) is taken over once it is older than any action takes. Running the
   * action again is safe: it carries the card's request key.
   */
  async function reclaimAbandoned(token: string, identity: string): Promise<boolean> {
    const card = await models.ActionCard.findOne({ token }, { doneAt: 1 }).lean();
    const claim = await claims.holder(claimKey(token));
    if (card?.doneAt || !claim || ctx.now().getTime() - claim.at.getTime() < ABANDONED_CLAIM_MS) return false;
    await claims.release(claimKey(token), claim.at);
    return claims.take(claimKey(token), identity);
  }

  /**
   * A reply of just a number in a chat with numbered lists: presses that button of the chat's
   * last list. Undefined when the chat has no list (the number is then ordinary text).
   */
  async function pressNumber(identity: string, choice: number): Promise<PressResult | undefined> {
    const pending = await models.PendingChoice.findOne({ identity }, { token: 1 }).lean();
    // Lists stored before cards existed carry no token: the number is then ordinary text.
    if (!pending?.token) return undefined;
    if (choice < 1) {
      const card = await models.ActionCard.findOne({ token: pending.token }, { actions: 1 }).lean();
      return card ? { ok: false, reason: 'out_of_range', choices: card.actions.length } : undefined;
    }
    return press(identity, `${pending.token}.${choice - 1}`);
  }

  /** What the claimed card's action answered, for the answer to a later press. */
  async function recordOutcome(token: string, outcome: string): Promise<void> {
    await models.ActionCard.updateOne({ token }, { $set: { doneAt: ctx.now(), outcome: outcome.slice(0, 500) } });
  }

  /**
   * Gives a claimed card back when its action failed (the database went away mid-way): the
   * next press runs it again, with the same request key, so what did complete is not repeated.
   */
  async function release(token: string): Promise<void> {
    await claims.release(claimKey(token));
  }

  /** Deletes cards a day past their expiry, with the claims of their presses; returns how many cards. */
  async function pruneExpired(at: Date): Promise<number> {
    const cutoff = new Date(at.getTime() - ACTION_CARD_RETENTION_DAYS * 24 * 3600_000);
    const expired = await models.ActionCard.find({ expiresAt: { $lt: cutoff } }, { token: 1 }).lean();
    if (expired.length === 0) return 0;
    await claims.releaseAll(expired.map((card) => claimKey(card.token)));
    return deleteEach(
      expired.map((card) => card._id),
      (_id) => models.ActionCard.deleteMany({ _id }),
    );
  }

  /** Erasure: the person's buttons and numbered list go, with the claims of their presses (which name the chat). */
  async function forget(identity: string): Promise<void> {
    const cards = await models.ActionCard.find({ identity }, { token: 1 }).lean();
    await claims.releaseAll(cards.map((card) => claimKey(card.token)));
    await models.ActionCard.deleteMany({ identity });
    await models.PendingChoice.deleteMany({ identity });
  }

  return { register, press, pressNumber, recordOutcome, release, pruneExpired, forget };
}

export type ActionService = ReturnType<typeof createActionService>;
