// Token parsing: arbitrary bytes as a bearer token for the verifier every
// service gates calls with (keys from the fuzz-only JWKS in tests/fuzz/keys,
// checked at a fixed instant so the minted seeds stay valid), as an
// "authorization" metadata value, and, when they look like JSON, as a JWKS document.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "common/auth/auth.h"
#include "common/auth/jwks.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using grassroots::common::auth::TokenVerifier;

const TokenVerifier& Verifier() {
  static const TokenVerifier* verifier = [] {
    const std::string jwks = grassroots::fuzz::ReadFileOrDie(grassroots::fuzz::KeysDir() + "/jwks.json");
    auto made = TokenVerifier::FromJwks(jwks, grassroots::fuzz::FuzzAuthConfig());
    if (!made.ok()) {
      std::fprintf(stderr, "fuzz setup: %s\n", std::string(made.status().message()).c_str());
      std::abort();
    }
    return made->release();
  }();
  return *verifier;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const TokenVerifier& verifier = Verifier();
  auto principal = verifier.Verify(input, grassroots::fuzz::FixedNow());
  if (principal.ok()) {
    // A verified token is answered from the cache afterwards: same principal.
    auto again = verifier.Verify(input, grassroots::fuzz::FixedNow());
    if (!again.ok() || again->subject != principal->subject || again->roles != principal->roles ||
        again->scope_org_id != principal->scope_org_id || again->member_id != principal->member_id) {
      std::abort();
    }
  }
  (void)grassroots::common::auth::AuthenticateBearer(verifier, input);
  if (!input.empty() && input.front() == '{') (void)grassroots::common::auth::ParseJwks(input);
  return 0;
}
