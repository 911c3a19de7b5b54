// The real npm `unisender` client against the gateway: only its base URL is changed, as its
// users would (defaults.url is read at call time). Prints one JSON line per call.
const defaults = require('unisender/src/config/defaults');
defaults.url = process.env.GATEWAY_URL;
const UniSender = require('unisender');

const uni = new UniSender({ api_key: process.env.GATEWAY_KEY, lang: 'ru' });
const wrong = new UniSender({ api_key: 'not-a-key' });

function report(name, promise) {
  return promise.then(
    (res) => console.log(JSON.stringify({ call: name, ok: true, res })),
    (err) => console.log(JSON.stringify({ call: name, ok: false, err })),
  );
}

(async () => {
  await report('createList', uni.createList({ title: 'From npm' }));
  await report('getLists', uni.getLists());
  await report('importContacts', uni.importContacts({
    field_names: ['email', 'email_list_ids', 'Name'],
    data: [
      { email: 'test1@example.com', email_list_ids: '1', Name: 'Иван Тест' },
      { email: 'a+b@example.com', email_list_ids: '1', Name: 'x&y=z' },
      { email: 'broken', Name: 'sparse: no list ids' },
    ],
    overwrite_tags: 1,
  }));
  await report('importNames', uni.importContacts({
    field_names: ['email', 'Name'],
    data: [{ email: 'plain@example.com', Name: 'Plain' }],
  }));
  await report('subscribe', uni.subscribe({ list_ids: '1', fields: { email: 'sub@example.com', Name: 'Sub' }, double_optin: 3 }));
  await report('exclude', uni.exclude({ contact_type: 'email', contact: 'sub@example.com', list_ids: '1' }));
  await report('unsubscribe', uni.unsubscribe({ contact_type: 'email', contact: 'test1@example.com' }));
  await report('exportContacts', uni.exportContacts({ list_id: 1, field_names: ['email', 'Name'] }));
  await report('getFields', uni.getFields());
  await report('getTags', uni.getTags());
  await report('wrongKey', wrong.getLists());
})();
