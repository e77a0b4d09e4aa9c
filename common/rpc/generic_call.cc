#include "common/rpc/generic_call.h"

#include <future>
#include <vector>

namespace grassroots::common::rpc {

grpc::ByteBuffer ToByteBuffer(const google::protobuf::Message& message) {
  std::string bytes = message.SerializeAsString();
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

bool FromByteBuffer(const grpc::ByteBuffer& buffer, google::protobuf::Message& message) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return false;
  std::string bytes;
  for (const grpc::Slice& slice : slices) bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  return message.ParseFromString(bytes);
}

grpc::Status BlockingUnaryCall(grpc::GenericStub& stub, grpc::ClientContext& context, const std::string& method_path,
                               const grpc::ByteBuffer& request, grpc::ByteBuffer& response) {
  // The promise is shared with the callback: the caller may return (and end
  // the promise's life) as soon as the value is set, while gRPC's thread is
  // still inside set_value.
  auto done = std::make_shared<std::promise<grpc::Status>>();
  std::future<grpc::Status> status = done->get_future();
  stub.UnaryCall(&context, method_path, grpc::StubOptions(), &request, &response,
                 [done](grpc::Status result) { done->set_value(std::move(result)); });
  return status.get();
}

BlockingGenericStream::BlockingGenericStream(grpc::GenericStub& stub, grpc::ClientContext& context,
                                             const std::string& method_path)
    : call_(stub.PrepareCall(&context, method_path, &cq_)) {}

BlockingGenericStream::~BlockingGenericStream() {
  cq_.Shutdown();
  void* tag;
  bool ok;
  while (cq_.Next(&tag, &ok)) {
  }
}

bool BlockingGenericStream::Start() {
  call_->StartCall(Tag());
  return Wait();
}
bool BlockingGenericStream::Write(const grpc::ByteBuffer& buffer) {
  call_->Write(buffer, Tag());
  return Wait();
}
bool BlockingGenericStream::WritesDone() {
  call_->WritesDone(Tag());
  return Wait();
}
bool BlockingGenericStream::Read(grpc::ByteBuffer* buffer) {
  call_->Read(buffer, Tag());
  return Wait();
}
grpc::Status BlockingGenericStream::Finish() {
  grpc::Status status;
  call_->Finish(&status, Tag());
  Wait();
  return status;
}

bool BlockingGenericStream::Wait() {
  void* tag = nullptr;
  bool ok = false;
  if (!cq_.Next(&tag, &ok)) return false;
  return ok;
}

}  // namespace grassroots::common::rpc
