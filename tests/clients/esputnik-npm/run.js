// The real npm `rubik-esputnik` client against the gateway, brought up as its README shows: a
// rubik-main App with a Config kubik reading config/esputnik.js (whose host ends in '/', so every
// URL starts '//api/v1/'); a second kubik takes its host from the constructor (no slash).
// Prints one JSON line per call: {call, ok, res} with what the client resolved, or
// {call, ok: false, err} with the message of what it threw.
const path = require('path');
const { App, Kubiks: { Config } } = require('rubik-main');
const Esputnik = require('rubik-esputnik');

const URL = process.env.GATEWAY_URL;
const KEY = process.env.GATEWAY_KEY;

async function kubik(options) {
  const app = new App();
  const esputnik = new Esputnik(options);
  app.add([new Config(path.join(__dirname, 'config/')), esputnik]);
  await app.up();
  return esputnik;
}

function report(name, call) {
  return Promise.resolve().then(call).then(
    (res) => { console.log(JSON.stringify({ call: name, ok: true, res })); return res; },
    (err) => { console.log(JSON.stringify({ call: name, ok: false, err: err.message })); return undefined; },
  );
}

const email = (value) => ({ type: 'email', value });

(async () => {
  const esputnik = await kubik();
  const direct = await kubik({ host: URL, version: 'v1', username: 'any', password: KEY });
  const wrong = await kubik({ host: URL, version: 'v1', username: 'any', password: 'not-the-key' });

  await report('account.info', () => esputnik.account.info());
  await report('direct account.info', () => direct.account.info());
  // The kubik defines `contact.subscribe`, then `contact` replaces the object holding it:
  // subscribe is reached through the client's own request().
  await report('contact.subscribe type', () => typeof esputnik.contact.subscribe);
  const sub = await report('subscribe', () => esputnik.request({
    path: 'contact/subscribe',
    body: { contact: { firstName: 'Npm', channels: [email('npm-sub@example.com')] }, groups: ['Subscribers'], formType: 'npm' },
  }));
  const bulk = await report('addContact', () => esputnik.addContact({
    contacts: [
      { firstName: 'Npm', lastName: 'One', channels: [email('npm1@example.com')],
        fields: { profession: 'tester', gender: 'M', notInDictionary: 'left out by the client' } },
      { firstName: 'Npm', lastName: 'Two', channels: [email('npm2@example.com'), { type: 'sms', value: '+380931112233' }],
        fields: { birthday: '1990-10-10' } },
      { lastName: 'Phone only', channels: [{ type: 'sms', value: '+380931112244' }] },
    ],
    groupNames: ['Customers'],
    restoreDeleted: true,
  }));
  if (bulk && bulk.asyncSessionId) {
    await report('importstatus', () => esputnik.request({ path: `importstatus/${bulk.asyncSessionId}` }));
  }
  const added = await report('contact', () => esputnik.contact({
    firstName: 'Single', channels: [email('npm-single@example.com')], groups: [{ id: 5022 }],
  }));
  const id = added && added.id;
  await report('contact.id', () => esputnik.contact.id({
    firstName: 'Updated', lastName: 'By PUT', channels: [email('npm-single@example.com')],
    fields: [{ id: 12345, value: 'editor' }],
  }, { id }));
  await report('get contact', () => esputnik.request({ path: 'contact/{{id}}', id }));
  await report('search', () => direct.request({ path: 'contacts?email=npm1%40example.com' }));
  await report('search by name', () => esputnik.request({ path: 'contacts?firstname=npm&lastname=two' }));
  await report('groups', () => esputnik.request({ path: 'groups' }));
  await report('attach', () => esputnik.request({ path: 'group/5022/contacts/attach', body: { contactIds: [sub.id] } }));
  await report('group contacts', () => esputnik.request({ path: 'group/5022/contacts' }));
  await report('detach', () => esputnik.request({ path: 'group/5022/contacts/detach', body: { contactIds: [id] } }));
  await report('emails.unsubscribed.add', () => esputnik.emails.unsubscribed.add({ emails: ['npm2@example.com'] }));
  await report('emails.unsubscribed.delete', () => esputnik.emails.unsubscribed.delete({ emails: ['npm-none@example.com'] }));
  await report('delete contact', () => esputnik.request({ path: 'contact/{{id}}', id, method: 'DELETE' }));
  await report('get deleted contact', () => esputnik.request({ path: 'contact/{{id}}', id }));
  await report('wrongKey', () => wrong.account.info());
})().catch((err) => { console.error(err); process.exit(1); });
