// A real OpenID Connect provider (panva/oidc-provider, not written by this project) for the
// identity tests. Started on loopback by tests/tests/auth.rs:
//   PORT=… CLIENT_ID=… CLIENT_SECRET=… REDIRECT_URI=… node provider.mjs
// It uses the package's built-in development login/consent pages (devInteractions): any login
// name is accepted; the account's e-mail is `<login>` when it contains "@", else `<login>@imu.edu.cn`.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: process.env.REDIRECT_URI.split(','),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  async findAccount(ctx, id) {
    const email = id.includes('@') ? id : `${id}@imu.edu.cn`;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email, email_verified: true, name: `测试用户 ${id}` };
      },
    };
  },
  cookies: { keys: ['transferhub-test-only-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
});
provider.proxy = false;

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
