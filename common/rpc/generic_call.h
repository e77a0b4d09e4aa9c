#pragma once
// Calling any gRPC method by its path with serialized messages (grpc::GenericStub),
// for code that routes by descriptors instead of generated stubs: the CLI's
// `call` and the HTTP gateway.
#include <memory>
#include <string>

#include <google/protobuf/message.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/status.h>

namespace grassroots::common::rpc {

grpc::ByteBuffer ToByteBuffer(const google::protobuf::Message& message);
// False when the bytes are not a message of that type.
bool FromByteBuffer(const grpc::ByteBuffer& buffer, google::protobuf::Message& message);

// One unary call, waited for.
grpc::Status BlockingUnaryCall(grpc::GenericStub& stub, grpc::ClientContext& context, const std::string& method_path,
                               const grpc::ByteBuffer& request, grpc::ByteBuffer& response);

// A streaming call over a private completion queue: each operation is started
// and then waited for, which keeps the generic (untyped) call sequential.
class BlockingGenericStream {
 public:
  // Prepares the call; Start() sends its headers.
  BlockingGenericStream(grpc::GenericStub& stub, grpc::ClientContext& context, const std::string& method_path);
  ~BlockingGenericStream();
  BlockingGenericStream(const BlockingGenericStream&) = delete;
  BlockingGenericStream& operator=(const BlockingGenericStream&) = delete;

  bool Start();
  bool Write(const grpc::ByteBuffer& buffer);
  bool WritesDone();
  // False at the end of the stream (then call Finish).
  bool Read(grpc::ByteBuffer* buffer);
  grpc::Status Finish();

 private:
  void* Tag() { return reinterpret_cast<void*>(++next_tag_); }
  bool Wait();
  grpc::CompletionQueue cq_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
  intptr_t next_tag_ = 0;
};

}  // namespace grassroots::common::rpc
