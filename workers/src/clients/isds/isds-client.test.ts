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

  it('turns an ISDS refusal, a wrong login, an unreachable service and a bad message ID into coded errors', async () => {
    await expect(createIsdsClient({ url: peer.url, ...login }).getDeliveryInfo('999')).rejects.toMatchObject({ code: 'ISDS_STATUS', kind: 'transient', message: expect.stringContaining('1219') });
    await expect(createIsdsClient({ url: peer.url, username: login.username, password: 'wrong' }).getDeliveryInfo('1234567')).rejects.toMatchObject({ code: 'ISDS_UNAUTHORIZED' });
    await expect(createIsdsClient({ url: `${peer.url}/nothing`, ...login }).getDeliveryInfo('1234567')).rejects.toMatchObject({ code: 'ISDS_FAULT' });
    await expect(createIsdsClient({ url: 'http://127.0.0.1:1/DS', ...login, timeoutMs: 2000 }).getDeliveryInfo('1234567')).rejects.toMatchObject({ code: 'ISDS_UNREACHABLE' });
    await expect(createIsdsClient({ url: peer.url, ...login }).getDeliveryInfo('12<3')).rejects.toMatchObject({ code: 'ISDS_DM_ID_INVALID' });
  });
});
