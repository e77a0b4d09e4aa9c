#include "services/cli/member_import.h"

#include <atomic>
#include <thread>
#include <vector>

#include "grassroots/membership/v1/import.grpc.pb.h"

namespace grassroots::cli {

namespace mv1 = ::grassroots::membership::v1;

ImportOutcome StreamImport(const Connection& connection, const std::string& file_name, bool dry_run,
                           std::istream& source, const std::function<void(const mv1::ImportProgress&)>& on_progress,
                           size_t chunk_bytes) {
  auto stub = mv1::MemberImportService::NewStub(connection.channel());
  grpc::ClientContext context;
  connection.Prepare(context, /*with_deadline=*/false);
  std::unique_ptr<grpc::ClientReaderWriter<mv1::ImportChunk, mv1::ImportProgress>> stream =
      stub->ImportMembers(&context);

  // gRPC allows one reader and one writer at a time on a stream: the file goes
  // out on its own thread so progress is shown while the upload continues.
  std::atomic<bool> stop_writing{false};
  std::thread writer([&] {
    std::vector<char> buffer(chunk_bytes);
    bool first = true;
    while (!stop_writing.load()) {
      source.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      const std::streamsize got = source.gcount();
      if (got <= 0 && !first) break;
      mv1::ImportChunk chunk;
      if (first) {
        chunk.set_file_name(file_name);
        chunk.set_dry_run(dry_run);
        first = false;
      }
      chunk.set_data(buffer.data(), static_cast<size_t>(got));
      if (!stream->Write(chunk)) return;  // the service ended the call; Finish tells why
      if (got < static_cast<std::streamsize>(buffer.size())) break;
    }
    stream->WritesDone();
  });

  ImportOutcome outcome;
  mv1::ImportProgress progress;
  while (stream->Read(&progress)) {
    outcome.summary = progress.so_far();
    outcome.done = outcome.done || progress.done();
    on_progress(progress);
  }
  stop_writing.store(true);
  writer.join();
  outcome.status = stream->Finish();
  return outcome;
}

}  // namespace grassroots::cli
