// The real npm `unisender-api` client (chmerev) against the gateway: only its base URL is changed
// (the instance's apiUrl, which it joins with the method name). Prints one JSON line per call.
const Unisender = require('unisender-api').default;

const base = process.env.GATEWAY_URL + '/ru/api/';
const uni = new Unisender(process.env.GATEWAY_KEY);
uni.apiUrl = base;
const wrong = new Unisender('not-a-key');
wrong.apiUrl = base;

async function report(name, call) {
  try {
    const res = await call();
    // The client returns (not throws) an Error for a non-2xx answer; its message is the body.
    const line = res instanceof Error ? { call: name, ok: false, err: String(res.message) } : { call: name, ok: true, res };
    console.log(JSON.stringify(line));
    return res;
  } catch (err) {
    console.log(JSON.stringify({ call: name, ok: false, err: String(err && err.message) }));
    return null;
  }
}

(async () => {
  const created = await report('createList', () => uni.createList('From unisender-api'));
  const listId = created && created.result ? created.result.id : 0;
  await report('getLists', () => uni.getLists());
  // Nothing is created first: a fresh account has Unisender's user field Name, as the vendor's do.
  await report('getFields', () => uni.getFields());
  await report('subscribe', () => uni.subscribe(String(listId), 'sub@example.com', 'Sub', {}, { double_optin: 3 }));
  await report('importContacts', () => uni.importContacts(
    ['email', 'email_list_ids', 'Name'],
    [['ann@example.com', String(listId), 'Ann'], ['bob@example.com', String(listId), 'Bob Smith'], ['broken', '', 'x']],
  ));
  await report('getContact', () => uni.getContact('ann@example.com', { include_lists: 1, include_fields: 1 }));
  await report('getContactCount', () => uni.getContactCount(listId, { type: 'address', search: 'example.com' }));
  await report('getTotalContactsCount', () => uni.getTotalContactsCount('login'));
  await report('exclude', () => uni.exclude('email', 'sub@example.com', String(listId)));
  await report('unsubscribe', () => uni.unsubscribe('email', 'bob@example.com'));
  const link = await report('exportContacts', () => uni.exportContacts({ list_id: listId }, ['email', 'Name']));
  if (typeof link === 'string' && link) {
    const file = await fetch(link);
    console.log(JSON.stringify({ call: 'download', ok: file.ok, res: await file.text() }));
  }
  await report('wrongKey', () => wrong.getLists());
})();
