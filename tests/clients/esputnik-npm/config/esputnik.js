// rubik-esputnik's config file as its README gives it (`host: 'https://esputnik.com/'`, with the
// trailing slash): only the host and the key differ from what its users point at eSputnik.
// `dictionaries.default` maps the field names addContact takes to additional-field ids.
module.exports = {
  host: `${process.env.GATEWAY_URL}/`,
  version: 'v1',
  username: 'username',
  password: process.env.GATEWAY_KEY,
  dictionaries: {
    default: { profession: '12345', gender: '15868', birthday: '15867' },
  },
};
