#include "tests/support/test_tls.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "absl/strings/str_cat.h"

namespace grassroots::testing {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Certificate = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(absl::StrCat("OpenSSL: ", what, " failed"));
}

Key NewKey() {
  Key key(EVP_EC_gen("P-256"));
  Check(key != nullptr, "EVP_EC_gen");
  return key;
}

std::string ToPem(X509* certificate) {
  Bio bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_X509(bio.get(), certificate) == 1, "PEM_write_bio_X509");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string ToPem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1, "PEM_write_bio_PrivateKey");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

Certificate ParseCertificate(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Certificate certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  Check(certificate != nullptr, "PEM_read_bio_X509");
  return certificate;
}

Key ParseKey(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  Check(key != nullptr, "PEM_read_bio_PrivateKey");
  return key;
}

void AddExtension(X509* certificate, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  Check(extension != nullptr, "X509V3_EXT_conf_nid");
  X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
}

// subject_key signs itself when issuer is null.
Certificate NewCertificate(std::string_view common_name, EVP_PKEY* subject_key, X509* issuer, EVP_PKEY* issuer_key) {
  static long serial = 1;
  Certificate certificate(X509_new());
  X509_set_version(certificate.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), serial++ + time(nullptr));
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 24 * 3600);
  X509_set_pubkey(certificate.get(), subject_key);
  X509_NAME* name = X509_get_subject_name(certificate.get());
  const std::string cn(common_name);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : certificate.get();
  X509_set_issuer_name(certificate.get(), X509_get_subject_name(signer));
  if (issuer == nullptr) {
    AddExtension(certificate.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(certificate.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(certificate.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(certificate.get(), signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    AddExtension(certificate.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth");
  }
  AddExtension(certificate.get(), signer, NID_subject_key_identifier, "hash");
  Check(X509_sign(certificate.get(), issuer_key != nullptr ? issuer_key : subject_key, EVP_sha256()) > 0, "X509_sign");
  return certificate;
}

absl::StatusOr<int> ConnectLoopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{.tv_sec = 5, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return absl::UnavailableError(absl::StrCat("cannot connect to 127.0.0.1:", port));
  }
  return fd;
}

std::string Request(std::string_view path) {
  return absl::StrCat("GET ", std::string(path), " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
}

}  // namespace

PemPair MakeCertificateAuthority(std::string_view common_name) {
  Key key = NewKey();
  Certificate certificate = NewCertificate(common_name, key.get(), nullptr, nullptr);
  return {.certificate = ToPem(certificate.get()), .private_key = ToPem(key.get())};
}

PemPair MakeCertificate(const PemPair& issuer, std::string_view common_name) {
  Certificate issuer_certificate = ParseCertificate(issuer.certificate);
  Key issuer_key = ParseKey(issuer.private_key);
  Key key = NewKey();
  Certificate certificate = NewCertificate(common_name, key.get(), issuer_certificate.get(), issuer_key.get());
  return {.certificate = ToPem(certificate.get()), .private_key = ToPem(key.get())};
}

void WritePemFiles(const std::filesystem::path& dir, std::string_view name, const PemPair& pem) {
  const auto write = [&](const std::string& file, const std::string& text) {
    const std::filesystem::path target = dir / file;
    const std::filesystem::path staging = dir / (file + ".new");
    std::ofstream(staging, std::ios::binary | std::ios::trunc) << text;
    std::filesystem::rename(staging, target);
  };
  write(std::string(name) + ".pem", pem.certificate);
  write(std::string(name) + "-key.pem", pem.private_key);
}

absl::StatusOr<std::string> HttpsGet(int port, std::string_view path, const std::string& ca_pem,
                                     std::string* peer_common_name) {
  std::unique_ptr<SSL_CTX, Deleter<SSL_CTX, SSL_CTX_free>> context(SSL_CTX_new(TLS_client_method()));
  Certificate ca = ParseCertificate(ca_pem);
  X509_STORE_add_cert(SSL_CTX_get_cert_store(context.get()), ca.get());
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
  absl::StatusOr<int> fd = ConnectLoopback(port);
  if (!fd.ok()) return fd.status();
  std::unique_ptr<SSL, Deleter<SSL, SSL_free>> ssl(SSL_new(context.get()));
  SSL_set_fd(ssl.get(), *fd);
  SSL_set1_host(ssl.get(), "localhost");
  std::string response;
  if (SSL_connect(ssl.get()) != 1) {
    close(*fd);
    return absl::UnavailableError(absl::StrCat("TLS handshake with 127.0.0.1:", port, " failed"));
  }
  if (peer_common_name != nullptr) {
    Certificate peer(SSL_get1_peer_certificate(ssl.get()));
    char cn[256] = {0};
    if (peer) X509_NAME_get_text_by_NID(X509_get_subject_name(peer.get()), NID_commonName, cn, sizeof cn);
    *peer_common_name = cn;
  }
  const std::string request = Request(path);
  SSL_write(ssl.get(), request.data(), static_cast<int>(request.size()));
  char buffer[16384];
  int n;
  while ((n = SSL_read(ssl.get(), buffer, sizeof buffer)) > 0) response.append(buffer, static_cast<size_t>(n));
  SSL_shutdown(ssl.get());
  close(*fd);
  return response;
}

}  // namespace grassroots::testing
