// JSON CLI input: what `grassroots call <method> '<json>'` parses. The first
// line names the method (short, qualified or gRPC path form), the rest is the
// request JSON. A request that parses must survive the wire form unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include <google/protobuf/util/message_differencer.h>

#include "services/cli/generic_call.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view spec = input.substr(0, newline);
  const std::string_view json = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  auto method = grassroots::cli::FindMethod(absl::string_view(spec.data(), spec.size()));
  if (!method.ok()) return 0;
  auto request = grassroots::cli::RequestFromJson(**method, absl::string_view(json.data(), json.size()));
  if (!request.ok()) return 0;
  std::string bytes;
  if (!(*request)->SerializeToString(&bytes)) std::abort();
  std::unique_ptr<google::protobuf::Message> copy((*request)->New());
  if (!copy->ParseFromString(bytes) || !google::protobuf::util::MessageDifferencer::Equals(**request, *copy)) {
    std::abort();
  }
  return 0;
}
