import type { Actor } from '../../../services/index.js';
import type { DecideResult } from '../../../services/identity-link.js';
import { appLabel } from '../format.js';
import type { ConversationKit, Session } from '../kit.js';
import { defineCommand, type Command } from '../registry.js';
import type { Reply } from '../reply.js';

type ConnectArgs =
  { action: 'show' } | { action: 'code'; code: string } | { action: 'yes' | 'no'; requestId: string } | { action: 'unlink'; identityId: string };

/** `/connect`, `/connect <code>`; `yes|no <request>` and `unlink <app>` come from the bot's own buttons. */
function parseConnect(args: string[]): ConnectArgs | undefined {
  const [first, second] = args;
  if (!first) return { action: 'show' };
  const action = first.toLowerCase();
  if ((action === 'yes' || action === 'no') && second && args.length === 2) return { action, requestId: second };
  if (action === 'unlink' && second && args.length === 2) return { action, identityId: second };
  return args.length === 1 ? { action: 'code', code: first } : undefined;
}

/**
 * Linking Telegram and Zalo into one account: `/connect` lists the linked apps (with a code
 * for a new chat, and a button to unlink each other app), `/connect <code>` asks the account
 * to confirm, and the yes/no buttons carry the request they answer.
 */
export function createLinkAppsFeature(kit: ConversationKit) {
  const { services } = kit;

  const question = (s: Session, text: string, requestId: string): Reply => ({
    text,
    buttons: [
      [
        { label: s.t('connect:yes'), action: `/connect yes ${requestId}` },
        { label: s.t('connect:no'), action: `/connect no ${requestId}` },
      ],
    ],
  });

  async function overview(s: Session, actor: Actor): Promise<Reply[]> {
    const view = await services.identityLink.overview(actor);
    const name = (raw: string) => raw || s.t('connect:noName');
    const lines = [
      s.t('connect:linkedApps'),
      ...view.apps.map(
        (linked) =>
          `${s.t('connect:linkedApp', { app: appLabel[linked.app], name: name(linked.name) })}${linked.current ? ` ${s.t('connect:thisChat')}` : ''}`,
      ),
    ];
    for (const app of view.missing) {
      lines.push(
        view.code
          ? s.t('connect:codeForNew', { app: appLabel[app], code: view.code.code, minutes: view.code.minutes })
          : s.t('connect:howToAdd', { app: appLabel[app] }),
      );
    }
    const buttons = view.apps
      .filter((linked) => !linked.current)
      .map((linked) => [
        {
          label: s.t('connect:unlinkButton', { app: appLabel[linked.app], name: name(linked.name) }),
          action: `/connect unlink ${linked.identityId}`,
        },
      ]);
    return [{ text: lines.join('\n'), ...(buttons.length > 0 ? { buttons } : {}) }];
  }

  async function enterCode(s: Session, actor: Actor, code: string): Promise<Reply[]> {
    const result = await services.identityLink.requestLink(actor, code);
    if (result.ok) {
      const text = s.t('connect:confirmLink', { app: appLabel[result.app], name: result.name || s.t('connect:noName') });
      return [question(s, text, result.requestId)];
    }
    if (result.reason === 'invalid_code') return [{ text: s.t('connect:invalidCode') }];
    const keys = { same_app: 'sameApp', same_customer: 'sameCustomer', has_history: 'hasHistory', app_taken: 'appTaken' } as const;
    return [{ text: s.t(`connect:${keys[result.reason]}`, { app: appLabel[result.app] }) }];
  }

  async function unlink(s: Session, actor: Actor, identityId: string): Promise<Reply[]> {
    const result = await services.identityLink.requestUnlink(actor, identityId);
    if (!result.ok) return [{ text: s.t(result.reason === 'current_identity' ? 'connect:currentIdentity' : 'connect:notLinked') }];
    const text = s.t('connect:confirmUnlink', { app: appLabel[result.app], name: result.name || s.t('connect:noName') });
    return [question(s, text, result.requestId)];
  }

  function decision(s: Session, result: DecideResult): Reply[] {
    if (result.ok) {
      const values = { app: appLabel[result.app], name: result.name || s.t('connect:noName'), points: result.points };
      return [{ text: s.t(`connect:${result.outcome}`, values) }];
    }
    switch (result.reason) {
      case 'invalid_request':
        return [{ text: s.t('connect:invalidRequest') }];
      case 'expired':
        return [{ text: s.t('connect:expired') }];
      case 'already_decided':
        return [{ text: s.t(`connect:already.${result.outcome}`, { app: appLabel[result.app], name: result.name || s.t('connect:noName') }) }];
      case 'refused': {
        const keys = {
          moved: 'moved',
          has_history: 'hasHistory',
          app_taken: 'appTaken',
          not_linked: 'notLinked',
          current_identity: 'currentIdentity',
        } as const;
        return [{ text: s.t(`connect:${keys[result.why]}`, { app: appLabel[result.app] }) }];
      }
    }
  }

  async function connect(s: Session, actor: Actor, command: ConnectArgs): Promise<Reply[]> {
    switch (command.action) {
      case 'show':
        return overview(s, actor);
      case 'code':
        return enterCode(s, actor, command.code);
      case 'unlink':
        return unlink(s, actor, command.identityId);
      case 'yes':
      case 'no':
        return decision(s, await services.identityLink.decide(actor, command.requestId, command.action === 'yes'));
    }
  }

  const commands: Command[] = [
    defineCommand({
      name: 'connect',
      role: 'customer',
      usage: 'commands:usage.connect',
      menu: 'commands:menu.connect',
      parse: parseConnect,
      run: ({ s, actor }, args) => connect(s, actor, args),
    }),
  ];

  return { commands };
}
