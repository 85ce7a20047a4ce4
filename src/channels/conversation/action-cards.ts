import type { PressResult } from '../../services/actions.js';
import type { ConversationKit, Session } from './kit.js';
import type { Button, Reply } from './reply.js';

type Refused = Extract<PressResult, { ok: false }>;

/**
 * The conversation's side of one-time buttons: every reply's action buttons become one action
 * card for the person shown them (the channel sends back its `ref`, or on Zalo the number), and
 * a press that cannot run gets its answer here.
 */
export function createActionCards(kit: ConversationKit) {
  const { services, traits } = kit;

  /** Registers each reply's action buttons as one card for `identity`. */
  async function register(identity: string, replies: Reply[]): Promise<Reply[]> {
    const registered: Reply[] = [];
    for (const reply of replies) {
      const actions = (reply.buttons ?? []).flat().flatMap((button) => ('action' in button ? [button.action] : []));
      if (!reply.buttons || actions.length === 0) {
        registered.push(reply);
        continue;
      }
      const refs = await services.actions.register(identity, actions, traits.numberedChoices);
      let next = 0;
      const withRef = (button: Button): Button => ('action' in button ? { ...button, ref: refs[next++] } : button);
      registered.push({ ...reply, buttons: reply.buttons.map((row) => row.map(withRef)) });
    }
    return registered;
  }

  /** Why a press did nothing, in words: already done (and what), expired, or not this person's. */
  function refusal(s: Session, result: Refused): Reply[] {
    switch (result.reason) {
      case 'unknown':
        return [{ text: s.t('card:pressUnknown') }];
      case 'expired':
        return [{ text: s.t(traits.numberedChoices ? 'card:choiceExpired' : 'card:buttonExpired') }];
      case 'already_done':
        return [
          {
            text:
              result.outcome && result.doneAt ? s.t('card:alreadyDone', { at: result.doneAt, outcome: result.outcome }) : s.t('card:alreadyPressed'),
          },
        ];
      case 'out_of_range':
        return [{ text: s.t('card:choiceOutOfRange', { choices: Array.from({ length: result.choices }, (_, i) => i + 1).join(', ') }) }];
    }
  }

  return { register, refusal };
}
