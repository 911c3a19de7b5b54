// The real npm `unisender-node` SDK (0.0.7) against the gateway. It joins the fixed host
// https://api.unisender.com with /<lang>/api/<method>?api_key=…, so the only change is that host,
// swapped for the gateway's by an axios request interceptor (the SDK calls axios' default instance).
// Everything else (its qs form bodies, its payload shapes) is the SDK's own. One JSON line per call.
const axios = require('axios');
const Unisender = require('unisender-node').default;

const VENDOR = 'https://api.unisender.com';
axios.interceptors.request.use((config) => {
  if (config.url.startsWith(VENDOR)) config.url = process.env.GATEWAY_URL + config.url.slice(VENDOR.length);
  return config;
});

// importContactsBatch prints its progress with console.log; stdout carries only this driver's lines.
const print = (line) => process.stdout.write(JSON.stringify(line) + '\n');
console.log = (...args) => console.error(...args);

async function report(name, call) {
  try {
    const res = await call();
    print({ call: name, ok: true, res });
    return res;
  } catch (err) {
    const res = err && err.response ? { status: err.response.status, data: err.response.data } : null;
    print({ call: name, ok: false, err: String(err && err.message), res });
    return null;
  }
}

(async () => {
  // The SDK keeps its key and language in module state: the last instance made is the one used.
  const sdk = new Unisender({ apiKey: process.env.GATEWAY_KEY, lang: 'ru' });
  const created = await report('createList', () => sdk.createList({ title: 'Из unisender-node' }));
  const listId = created && created.result ? created.result.id : 0;
  const other = await report('createOther', () => sdk.createList({
    title: 'Second', before_subscribe_url: 'https://example.com/before', after_subscribe_url: 'https://example.com/after',
  }));
  const otherId = other && other.result ? other.result.id : 0;
  await report('updateList', () => sdk.updateList({ list_id: otherId, title: 'Second (renamed)' }));
  await report('getLists', () => sdk.getLists());
  // A bare fresh account: only the vendor's own user field Name exists.
  await report('getFields', () => sdk.getFields());
  const city = await report('createField', () => sdk.createField({ name: 'city', type: 'string' }));
  const cityId = city && city.result ? city.result.id : 0;
  await report('updateField', () => sdk.updateField({ id: cityId, name: 'town', type: 'string' }));
  // list_ids and tags as arrays: the SDK joins them with commas.
  await report('subscribe', () => sdk.subscribe({
    list_ids: [listId, otherId], fields: { email: 'sub@example.com', Name: 'Саша', town: 'Kyiv' },
    tags: ['vip', 'web'], double_optin: 3,
  }));
  // Its README's second way: objects, whose keys become field_names.
  await report('importObjects', () => sdk.importContacts({
    data: [
      { email: 'ann@example.com', Name: 'Ann', email_list_ids: String(listId), town: 'Lviv' },
      { email: 'bob@example.com', Name: 'Bob Smith', email_list_ids: String(listId), town: '' },
      { email: 'broken', Name: 'x', email_list_ids: '', town: '' },
    ],
  }));
  // Its README's first way: field_names and rows.
  await report('importRows', () => sdk.importContacts({
    field_names: ['email', 'Name', 'tags'], data: [['ann@example.com', 'Ann Lee', 'imported']], overwrite_tags: 1,
  }));
  // Its typings also allow email_list_ids as number[] (qs sends data[0][1][0]=…) and a Date (qs sends ISO 8601).
  await report('importListArray', () => sdk.importContacts({
    data: [{ email: 'typed@example.com', email_list_ids: [listId, otherId] }],
  }));
  await report('importDate', () => sdk.importContacts({
    data: [{ email: 'dated@example.com', email_list_ids: String(listId), email_subscribe_times: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) }],
  }));
  // 1,001 rows: the SDK sends 500, 500 and 1 in three importContacts calls.
  const many = [];
  for (let i = 0; i < 1001; i += 1) many.push({ email: `bulk${i}@example.com`, email_list_ids: String(otherId) });
  await report('importContactsBatch', () => sdk.importContactsBatch({ data: many }));
  await report('getContact', () => sdk.getContact({ email: 'ann@example.com', include_lists: 1, include_fields: 1 }));
  await report('isContactInLists', () => sdk.isContactInLists({
    email: 'sub@example.com', list_ids: [listId, otherId], condition: 'and' }));
  await report('getContactFieldValues', () => sdk.getContactFieldValues({ email: 'sub@example.com', field_ids: `1,${cityId}` }));
  await report('getContactCount', () => sdk.getContactCount({ list_id: listId, params: { type: 'address', search: 'example.com' } }));
  await report('getTotalContactsCount', () => sdk.getTotalContactsCount({ login: 'login' }));
  await report('getTags', () => sdk.getTags());
  await report('exclude', () => sdk.exclude({ contact_type: 'email', contact: 'sub@example.com', list_ids: [otherId] }));
  await report('unsubscribe', () => sdk.unsubscribe({ contact_type: 'email', contact: 'bob@example.com' }));
  const task = await report('exportContacts', () => sdk.exportContacts({ list_id: listId, field_names: ['email', 'Name'] }));
  if (task && task.result) {
    let state = null;
    for (let i = 0; i < 50; i += 1) {
      state = await sdk.getTaskResult({ task_uuid: task.result.task_uuid });
      if (!state.result || state.result.status !== 'new' && state.result.status !== 'processing') break;
      await new Promise((done) => setTimeout(done, 100));
    }
    print({ call: 'getTaskResult', ok: true, res: state });
    if (state && state.result && state.result.file_to_download) {
      const file = await fetch(state.result.file_to_download);
      print({ call: 'download', ok: file.ok, res: await file.text() });
    }
  }
  await report('deleteField', () => sdk.deleteField(cityId));
  await report('deleteList', () => sdk.deleteList({ list_id: otherId }));
  await report('getListsAfter', () => sdk.getLists());
  new Unisender({ apiKey: 'not-a-key', lang: 'en' });
  await report('wrongKey', () => sdk.getLists());
})();
