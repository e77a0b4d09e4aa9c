#pragma once
// grassroots.membership.v1.DuesService: members' dues bases and relief, the
// append-only ledger of payments, a member's year, the cell treasurer's
// collection sheet (and its XLSX), organizations' wage regions, the portal's
// payment file, remittances up the tree and their reconciliation.
#include <grpcpp/grpcpp.h>

#include "common/server/respond.h"
#include "grassroots/membership/v1/dues.grpc.pb.h"
#include "services/membership/handlers/handler_context.h"

namespace grassroots::membership {

class DuesServiceImpl final : public v1::DuesService::Service {
 public:
  explicit DuesServiceImpl(HandlerContext& ctx)
      : ctx_(ctx), envelope_(v1::DuesService::service_full_name(), ctx.authorizer) {}

  grpc::Status RecordDuesBase(grpc::ServerContext* context, const v1::RecordDuesBaseRequest* request,
                              v1::DuesBase* response) override;
  grpc::Status ListDuesBases(grpc::ServerContext* context, const v1::ListDuesBasesRequest* request,
                             v1::ListDuesBasesResponse* response) override;
  grpc::Status GrantDuesRelief(grpc::ServerContext* context, const v1::GrantDuesReliefRequest* request,
                               v1::DuesRelief* response) override;
  grpc::Status RecordDuesPayment(grpc::ServerContext* context, const v1::RecordDuesPaymentRequest* request,
                                 v1::DuesEntry* response) override;
  grpc::Status RecordCellCollection(grpc::ServerContext* context, const v1::RecordCellCollectionRequest* request,
                                    v1::RecordCellCollectionResponse* response) override;
  grpc::Status CorrectDuesEntry(grpc::ServerContext* context, const v1::CorrectDuesEntryRequest* request,
                                v1::DuesEntry* response) override;
  grpc::Status GetDuesLedger(grpc::ServerContext* context, const v1::GetDuesLedgerRequest* request,
                             v1::DuesLedger* response) override;
  grpc::Status GetCollectionSheet(grpc::ServerContext* context, const v1::GetCollectionSheetRequest* request,
                                  v1::CollectionSheet* response) override;
  grpc::Status ExportCollectionSheet(grpc::ServerContext* context, const v1::ExportCollectionSheetRequest* request,
                                     v1::DuesSheetFile* response) override;
  grpc::Status OpenDuesLedger(grpc::ServerContext* context, const v1::OpenDuesLedgerRequest* request,
                              v1::DuesLedgerOpening* response) override;
  grpc::Status SetWageRegion(grpc::ServerContext* context, const v1::SetWageRegionRequest* request,
                             v1::WageRegion* response) override;
  // dues_remittance_handlers.cc
  grpc::Status ImportPortalPayments(grpc::ServerContext* context, const v1::ImportPortalPaymentsRequest* request,
                                    v1::ImportPortalPaymentsResponse* response) override;
  grpc::Status RecordDuesRemittance(grpc::ServerContext* context, const v1::RecordDuesRemittanceRequest* request,
                                    v1::DuesRemittance* response) override;
  grpc::Status GetDuesReconciliation(grpc::ServerContext* context, const v1::GetDuesReconciliationRequest* request,
                                     v1::DuesReconciliation* response) override;

 private:
  HandlerContext& ctx_;
  common::CallEnvelope envelope_;
};

}  // namespace grassroots::membership
