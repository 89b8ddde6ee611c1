import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIsdsClient } from './isds-client';
import { startIsdsTestPeer, validateIsdsXml, type IsdsTestPeer } from './testing/isds-test-peer';

const login = { username: 'mmkv01', password: 'Heslo-123' };
let peer: IsdsTestPeer;

beforeAll(async () => {
  peer = await startIsdsTestPeer(login);
});
afterAll(() => peer.close());

describe('the ISDS client (dm_info.wsdl, GetDeliveryInfo)', () => {
  it('reads the state and the times of a sent message from a schema-valid answer; its request is schema-valid', async () => {
    // given
    peer.messages.set('1234567', { status: 5, deliveryTime: '2026-11-02T09:15:00.000+01:00', acceptanceTime: '2026-11-12T00:00:00.000+01:00' });
    peer.messages.set('1234568', { status: 4, deliveryTime: '2026-11-20T10:00:00+01:00' });
    const client = createIsdsClient({ url: peer.url, ...login });

    // when
    const fiction = await client.getDeliveryInfo('1234567');
    const waiting = await client.getDeliveryInfo('1234568');

    // then
    expect(fiction).toEqual({ dmId: '1234567', messageStatus: 5, deliveryTime: new Date('2026-11-02T08:15:00Z'), acceptanceTime: new Date('2026-11-11T23:00:00Z') });
    expect(waiting).toEqual({ dmId: '1234568', messageStatus: 4, deliveryTime: new Date('2026-11-20T09:00:00Z'), acceptanceTime: null });
    expect(peer.requests.at(-1)).toContain('<dmID>1234568</dmID>');
    for (const xml of peer.responses) expect(await validateIsdsXml(xml)).toEqual({ valid: true, errors: [] });
    // the peer's check is the schema's: a misspelt element is refused
    expect((await validateIsdsXml('<GetDeliveryInfo xmlns="http://isds.czechpoint.cz/v20"><dmId>1</dmId></GetDeliveryInfo>')).valid).toBe(false);
  });

  it('sends a data message (dm_operations.wsdl, CreateMessage at <url>/dz) with a schema-valid request and reads the new dmID', async () => {
    // given
    const client = createIsdsClient({ url: peer.url, ...login });
    const pdf = Buffer.from('%PDF-1.7 odpověď');

    // when
    const dmId = await client.createMessage({
      recipientBoxId: 'abc2def', annotation: 'Odpověď na žádost <A&B>', senderRefNumber: 'MMKV/1/2026', senderIdent: 'MMKV/1/2026',
      recipientRefNumber: null, recipientIdent: null, files: [{ fileName: 'odpověď.pdf', mimeType: 'application/pdf', content: pdf }, { fileName: 'příloha.txt', mimeType: 'text/plain', content: Buffer.from('x') }],
    });

    // then
    expect(dmId).toMatch(/^\d+$/);
    const request = peer.requests.at(-1)!;
    expect(await validateIsdsXml(request)).toEqual({ valid: true, errors: [] });
    expect(peer.sent.get(dmId)).toMatchObject({ recipientBoxId: 'abc2def', annotation: 'Odpověď na žádost <A&B>', senderRefNumber: 'MMKV/1/2026', recipientRefNumber: null });
    expect(peer.sent.get(dmId)!.files.map((f) => [f.fileName, f.metaType, f.mimeType, f.content.toString('latin1')])).toEqual([
      ['odpověď.pdf', 'main', 'application/pdf', pdf.toString('latin1')], ['příloha.txt', 'enclosure', 'text/plain', 'x'],
    ]);
    for (const xml of peer.responses) expect(await validateIsdsXml(xml)).toEqual({ valid: true, errors: [] });
    // ISDS then knows the message
    expect(await client.getDeliveryInfo(dmId)).toMatchObject({ dmId, messageStatus: 2 });

    // a refusal carries ISDS's code and message; a box ID that cannot be one is refused before the call
    peer.refusedBoxes.set('zzz9999', { code: '1214', message: 'Schránka není přístupná.' });
    const message = { recipientBoxId: 'zzz9999', annotation: 'x', senderRefNumber: null, senderIdent: null, recipientRefNumber: null, recipientIdent: null, files: [{ fileName: 'a.pdf', mimeType: 'application/pdf', content: pdf }] };
    await expect(client.createMessage(message)).rejects.toMatchObject({ code: 'ISDS_STATUS', kind: 'business', statusCode: '1214', statusMessage: 'Schránka není přístupná.' });
    await expect(client.createMessage({ ...message, recipientBoxId: 'ZZ' })).rejects.toMatchObject({ code: 'ISDS_BOX_ID_INVALID' });
    await expect(client.createMessage({ ...message, files: [] })).rejects.toMatchObject({ code: 'ISDS_NO_FILES' });
  });

  it('turns an ISDS refusal, a wrong login, an unreachable service and a bad message ID into coded errors', async () => {
    await expect(createIsdsClient({ url: peer.url, ...login }).getDeliveryInfo('999')).rejects.toMatchObject({ code: 'ISDS_STATUS', kind: 'transient', message: expect.stringContaining('1219') });
    await expect(createIsdsClient({ url: peer.url, ...login }).getSignedDeliveryInfo('999')).rejects.toMatchObject({ code: 'ISDS_STATUS', kind: 'transient', statusCode: '1219' });
    await expect(createIsdsClient({ url: peer.url, username: login.username, password: 'wrong' }).getDeliveryInfo('1234567')).rejects.toMatchObject({ code: 'ISDS_UNAUTHORIZED' });
    await expect(createIsdsClient({ url: `${peer.url}/nothing`, ...login }).getDeliveryInfo('1234567')).rejects.toMatchObject({ code: 'ISDS_FAULT' });
    await expect(createIsdsClient({ url: 'http://127.0.0.1:1/DS', ...login, timeoutMs: 2000 }).getDeliveryInfo('1234567')).rejects.toMatchObject({ code: 'ISDS_UNREACHABLE' });
    await expect(createIsdsClient({ url: peer.url, ...login }).getDeliveryInfo('12<3')).rejects.toMatchObject({ code: 'ISDS_DM_ID_INVALID' });
  });
});
