import type { ConfirmEraseResult } from '../../../services/erasure.js';
import type { Session } from '../kit.js';
import type { ConversationKit } from '../kit.js';
import { defineCommand, type Command, type Turn } from '../registry.js';
import type { Reply } from '../reply.js';

type DeleteArgs = { step: 'ask' } | { step: 'yes' | 'no'; token: string };

/** A confirmation token as `ask` makes it (base64url of 12 bytes). */
const TOKEN = /^[\w-]{16}$/;

/**
 * `/delete`: a person erases their own data. The answer is a confirmation whose buttons carry
 * a ticket only this person's chat was shown; pressing "delete for good" erases, "keep" ends
 * the ticket. Everyone may ask, before agreeing to the notice too.
 */
export function createErasureFeature(kit: ConversationKit) {
  const { services } = kit;

  async function ask({ s, actor }: Turn): Promise<Reply[]> {
    const asked = await services.erasure.ask(actor, s.customer);
    if (!asked.ok) return [{ text: s.t(asked.reason === 'is_staff' ? 'erasure:refusedStaff' : 'erasure:refusedLastOwner') }];
    return [
      {
        text: s.t('erasure:confirm', { business: kit.program.business.name, minutes: asked.minutes }),
        buttons: [
          [{ label: s.t('erasure:eraseButton'), action: `/delete yes ${asked.token}` }],
          [{ label: s.t('erasure:keepButton'), action: `/delete no ${asked.token}` }],
        ],
      },
    ];
  }

  function erasedText(s: Session, result: ConfirmEraseResult): string {
    if (result.ok) return s.t('erasure:erased', { business: kit.program.business.name });
    switch (result.reason) {
      case 'stale':
        return s.t('erasure:stale');
      case 'is_staff':
        return s.t('erasure:refusedStaff');
      case 'last_owner':
        return s.t('erasure:refusedLastOwner');
      default:
        return s.t('common:genericError');
    }
  }

  async function decide({ s, actor }: Turn, step: 'yes' | 'no', token: string): Promise<Reply[]> {
    if (step === 'no') {
      await services.erasure.cancel(actor, token);
      return [{ text: s.t('erasure:kept') }];
    }
    return [{ text: erasedText(s, await services.erasure.confirm(actor, token)) }];
  }

  const commands: Command[] = [
    defineCommand<DeleteArgs>({
      name: 'delete',
      beforeAgreement: true,
      role: 'customer',
      usage: 'erasure:usage.delete',
      menu: 'erasure:menu.delete',
      parse: (args) => {
        if (args.length === 0) return { step: 'ask' };
        const [step, token] = args;
        return args.length === 2 && (step === 'yes' || step === 'no') && TOKEN.test(token ?? '') ? { step, token: token ?? '' } : undefined;
      },
      run: (turn, args) => (args.step === 'ask' ? ask(turn) : decide(turn, args.step, args.token)),
    }),
  ];

  return { commands };
}
