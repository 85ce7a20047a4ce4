import { storedBirthday } from '../../../domain/birthday.js';
import { dataCatalogue, type DataCategoryId } from '../../../domain/personal-data.js';
import { createDocuments, recordFileName } from '../../../documents/privacy.js';
import type { PersonalDataExport } from '../../../services/personal-data.js';
import { appLabel } from '../format.js';
import type { ConversationKit, Session } from '../kit.js';
import { defineCommand, noArgs, type Command, type Turn } from '../registry.js';
import type { Reply } from '../reply.js';

type Row = Record<string, unknown>;
const dateOf = (value: unknown) => (value instanceof Date ? value : undefined);
/** The newest of a list kept oldest first. */
const latest = (rows: Row[]) => rows[rows.length - 1];

/**
 * A person's own data and the shop's record: `/mydata` (everyone) answers with a readable
 * summary and the whole export as a JSON file (a one-time link where the bot cannot send
 * files); `/record` (owners) sends the processing record.
 */
export function createPersonalDataFeature(kit: ConversationKit) {
  const { services, program, traits, publicUrl } = kit;
  const documents = createDocuments(kit.i18n);
  const downloadUrl = (token: string) => `${publicUrl}/download/${token}`;

  /** One line of the summary under the catalogue's name for its category. */
  const line = (s: Session, id: DataCategoryId, value: string) =>
    s.t('mydata:line', { label: s.t(dataCatalogue(program.privacy).find((category) => category.id === id)?.nameKey ?? ''), value });

  function summary(s: Session, data: PersonalDataExport): string {
    const { t } = s;
    const profile = data.profile;
    const none = t('mydata:none');
    const birthday = storedBirthday(profile);
    const count = (rows: Row[], key: string, last: (row: Row) => Record<string, unknown>) =>
      rows.length > 0 ? t(key, { count: rows.length, ...last(latest(rows)!) }) : none;
    const consent =
      typeof profile.consentVersion === 'string'
        ? t('mydata:consentValue', { version: profile.consentVersion, at: dateOf(profile.consentAt) })
        : t('mydata:consentNone');
    const marketing = t(profile.marketingConsent === true ? 'mydata:marketingYes' : 'mydata:marketingNo');
    const friends = data.referrals.friends.map((f) => f.givenName || t('mydata:aFriend'));
    return [
      t('mydata:title', { business: program.business.name }),
      line(s, 'identity', t('mydata:profileValue', { name: profile.name || none, code: profile.code, at: dateOf(profile.createdAt) })),
      t('mydata:line', {
        label: t('mydata:apps'),
        value: data.identities
          .map(
            (i) => `${appLabel[i.channel as 'telegram' | 'zalo']}${typeof i.displayName === 'string' && i.displayName ? ` (${i.displayName})` : ''}`,
          )
          .join(', '),
      }),
      line(s, 'phone', typeof profile.phone === 'string' ? t('mydata:phoneValue', { phone: profile.phone }) : none),
      line(
        s,
        'birthday',
        birthday ? t('mydata:birthdayValue', { day: birthday.day, month: birthday.month, year: birthday.year ?? '' }).trim() : none,
      ),
      line(s, 'language', t(`mydata:languageName.${s.locale}`)),
      line(
        s,
        'points',
        [
          t('mydata:pointsValue', { points: profile.points ?? 0, balance: profile.balance ?? profile.points ?? 0 }),
          ...(data.pointsLedger.length > 0 ? [count(data.pointsLedger, 'mydata:ledgerValue', (e) => ({ delta: e.delta, at: dateOf(e.at) }))] : []),
        ].join('; '),
      ),
      line(
        s,
        'visits',
        count(data.visits, 'mydata:visitsValue', (v) => ({ at: dateOf(v.at) })),
      ),
      line(
        s,
        'vouchers',
        count(data.vouchers, 'mydata:vouchersValue', (v) => ({ code: v.code, status: t(`mydata:voucherStatus.${String(v.status)}`) })),
      ),
      line(s, 'referrals', friends.length > 0 ? t('mydata:friendsValue', { count: friends.length, names: friends.join(', ') }) : none),
      ...(data.referrals.referredBy ? [t('mydata:referredBy', { name: data.referrals.referredBy.givenName || t('mydata:aFriend') })] : []),
      line(
        s,
        'memberships',
        count(data.memberships, 'mydata:membershipsValue', (m) => ({ until: dateOf(m.endsAt) })),
      ),
      line(
        s,
        'messages',
        count(data.messages, 'mydata:messagesValue', (n) => ({ at: dateOf(n.createdAt) })),
      ),
      line(s, 'consents', `${consent} ${marketing}`),
      '',
      t('mydata:howToChange', { url: `${publicUrl}/privacy` }),
    ].join('\n');
  }

  async function myData({ s, actor }: Turn): Promise<Reply[]> {
    const data = await services.personalData.exportFor(actor);
    if (!data) return [{ text: s.t('common:genericError') }];
    const text = summary(s, data);
    if (traits.noFiles) {
      const link = await services.personalData.issueDownload(actor, 'mydata');
      if (!link.ok) return [{ text: s.t('bot:notAllowed') }];
      return [{ text }, { text: s.t('mydata:downloadLink', { url: downloadUrl(link.token), minutes: link.minutes }) }];
    }
    const file = Buffer.from(JSON.stringify(data, null, 2));
    return [{ text }, { text: s.t('mydata:fileCaption'), document: { filename: `mydata-${String(data.profile.code)}.json`, content: file } }];
  }

  async function record({ s, actor }: Turn): Promise<Reply[]> {
    if (traits.noFiles) {
      const link = await services.personalData.issueDownload(actor, 'record');
      if (!link.ok) return [{ text: s.t('bot:notAllowed') }];
      return [
        { text: s.t('mydata:recordLink', { url: downloadUrl(link.token), minutes: link.minutes, dashboard: `${publicUrl}/dashboard/record` }) },
      ];
    }
    const result = await services.personalData.processingRecord(actor);
    if (!result.ok) return [{ text: s.t('bot:notAllowed') }];
    const html = documents.processingRecord({ locale: s.locale, program, facts: result.facts });
    return [
      {
        text: s.t('mydata:recordCaption'),
        document: { filename: recordFileName(result.facts.generatedAt, s.locale), content: Buffer.from(html) },
      },
    ];
  }

  const customerCommands: Command[] = [
    defineCommand({
      name: 'mydata',
      beforeAgreement: true,
      role: 'customer',
      usage: 'mydata:usage.mydata',
      menu: 'mydata:menu.mydata',
      parse: noArgs,
      run: (turn) => myData(turn),
    }),
  ];
  const ownerCommands: Command[] = [
    defineCommand({
      name: 'record',
      role: 'owner',
      usage: 'mydata:usage.record',
      menu: 'mydata:menu.record',
      parse: noArgs,
      run: (turn) => record(turn),
    }),
  ];

  return { customerCommands, ownerCommands };
}
