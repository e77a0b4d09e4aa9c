// The organization's dated facts on the change feed (OrganizationChange with
// the event and the facts before and after), the member successor of an ending
// cell, the sector's history (ChangeOrganizationSector) and the commune
// military cell flag.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/org/org_fixture.h"

namespace grassroots::org::testing {
namespace {

class OrgFactsTest : public OrgFixture {
 protected:
  static int64_t FeedHead() {
    grpc::ClientContext ctx;
    Authorize(ctx, ServiceToken());
    grassroots::feed::v1::FeedHead head;
    EXPECT_TRUE(feed().GetFeedHead(&ctx, {}, &head).ok());
    return head.last_sequence();
  }

  // Every organization change after `after_sequence`, in feed order.
  static std::vector<std::pair<std::string, v1::OrganizationChange>> ChangesAfter(int64_t after_sequence) {
    grpc::ClientContext ctx;
    Authorize(ctx, ServiceToken());
    grassroots::feed::v1::StreamChangesRequest request;
    request.set_after_sequence(after_sequence);
    request.add_resource_types("organization");
    auto reader = feed().StreamChanges(&ctx, request);
    std::vector<std::pair<std::string, v1::OrganizationChange>> out;
    grassroots::feed::v1::Change change;
    while (reader->Read(&change)) {
      v1::OrganizationChange payload;
      EXPECT_TRUE(change.resource().UnpackTo(&payload)) << change.resource().type_url();
      EXPECT_EQ(payload.event().organization(), change.resource_name());
      out.emplace_back(change.action(), std::move(payload));
    }
    EXPECT_TRUE(reader->Finish().ok());
    return out;
  }

  // The one change of `kind` for `name`; fails the test when there is not exactly one.
  static v1::OrganizationChange Find(const std::vector<std::pair<std::string, v1::OrganizationChange>>& changes,
                                     const std::string& name, v1::OrganizationEventKind kind) {
    std::vector<v1::OrganizationChange> found;
    for (const auto& [action, change] : changes) {
      if (change.event().organization() == name && change.event().kind() == kind) found.push_back(change);
    }
    EXPECT_EQ(found.size(), 1u) << name << " " << v1::OrganizationEventKind_Name(kind);
    return found.empty() ? v1::OrganizationChange() : found.front();
  }

  static grassroots::type::v1::Decision DecisionNumbered(const std::string& number) {
    grassroots::type::v1::Decision decision;
    decision.set_issuing_body("Ban Thường vụ");
    decision.set_number(number);
    decision.set_signed_on("2024-01-01");
    return decision;
  }

  static grpc::Status Create(const std::string& type, const std::string& parent, bool military_cell,
                             v1::Organization* out, const std::string& established_on = "2020-01-01") {
    v1::CreateOrganizationRequest request;
    v1::Organization* org = request.mutable_organization();
    org->set_code(UniqueCode("FACT"));
    org->set_display_name("Chi bộ Quân sự");
    org->set_type(type);
    org->set_parent(parent);
    org->set_established_on(established_on);
    org->set_is_commune_military_cell(military_cell);
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    return orgs().CreateOrganization(&ctx, request, out);
  }

  static grpc::Status ChangeSector(const std::string& name, const std::string& sector, const std::string& date,
                                   const std::string& etag = "", const std::string& token = AdminToken(),
                                   v1::Organization* out = nullptr) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::ChangeOrganizationSectorRequest request;
    request.set_name(name);
    request.set_new_sector(sector);
    request.set_effective_date(date);
    request.set_etag(etag);
    *request.mutable_decision() = DecisionNumbered("12-QĐ/ĐU");
    v1::Organization ignored;
    return orgs().ChangeOrganizationSector(&ctx, request, out != nullptr ? out : &ignored);
  }

  static grpc::Status ChangeMilitaryCell(const std::string& name, bool flag, const std::string& date) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::ChangeCommuneMilitaryCellRequest request;
    request.set_name(name);
    request.set_is_commune_military_cell(flag);
    request.set_effective_date(date);
    *request.mutable_decision() = DecisionNumbered("13-QĐ/ĐU");
    v1::Organization ignored;
    return orgs().ChangeCommuneMilitaryCell(&ctx, request, &ignored);
  }

  static grpc::Status Dissolve(const std::string& name, const std::string& successor, const std::string& date,
                               const std::string& token = AdminToken()) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    v1::DissolveOrganizationRequest request;
    request.set_name(name);
    request.set_member_successor(successor);
    request.set_effective_date(date);
    *request.mutable_decision() = DecisionNumbered("20-QĐ/ĐU");
    v1::Organization ignored;
    return orgs().DissolveOrganization(&ctx, request, &ignored);
  }

  static grpc::Status Split(const std::string& name, const std::vector<std::string>& new_types,
                            std::optional<int32_t> successor_index, const std::string& date,
                            v1::SplitOrganizationResponse* out = nullptr) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::SplitOrganizationRequest request;
    request.set_name(name);
    for (const std::string& type : new_types) {
      v1::Organization* fresh = request.add_new_organizations();
      fresh->set_code(UniqueCode("SPLIT"));
      fresh->set_display_name("Chi bộ tách");
      fresh->set_type(type);
    }
    if (successor_index) request.set_member_successor_index(*successor_index);
    request.set_effective_date(date);
    *request.mutable_decision() = DecisionNumbered("30-QĐ/ĐU");
    v1::SplitOrganizationResponse ignored;
    return orgs().SplitOrganization(&ctx, request, out != nullptr ? out : &ignored);
  }

  static std::vector<v1::OrganizationEvent> Events(const std::string& name) {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::ListOrganizationEventsRequest request;
    request.set_name(name);
    v1::ListOrganizationEventsResponse response;
    EXPECT_TRUE(orgs().ListOrganizationEvents(&ctx, request, &response).ok());
    return {response.events().begin(), response.events().end()};
  }

};

TEST_F(OrgFactsTest, FeedCarriesTheDatedEventOfEveryKind) {
  const int64_t head = FeedHead();
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Đảng bộ xã Sự kiện", "COMMUNE");
  v1::Organization khoi = CreateOrg("DANG_BO_KHOI", RootName(), "Đảng bộ Khối", "AGENCY");
  v1::Organization dbcs = CreateOrg("DANG_BO_CO_SO", xa.name(), "Đảng bộ cơ sở 1", "COMMUNE");
  v1::Organization dbcs2 = CreateOrg("DANG_BO_CO_SO", xa.name(), "Đảng bộ cơ sở 2", "COMMUNE");
  v1::Organization a = CreateOrg("CHI_BO_TRUC_THUOC", dbcs.name(), "Chi bộ A");
  v1::Organization b = CreateOrg("CHI_BO_TRUC_THUOC", dbcs2.name(), "Chi bộ B");
  v1::Organization mover = CreateOrg("CHI_BO_TRUC_THUOC", dbcs.name(), "Chi bộ đi");
  {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::RenameOrganizationRequest request;
    request.set_name(a.name());
    request.set_new_display_name("Chi bộ A mới");
    request.set_effective_date("2024-02-01");
    *request.mutable_decision() = DecisionNumbered("1-QĐ/ĐU");
    v1::Organization out;
    ASSERT_TRUE(orgs().RenameOrganization(&ctx, request, &out).ok());
  }
  {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::MoveOrganizationRequest request;
    request.set_name(mover.name());
    request.set_new_parent(dbcs2.name());
    request.set_effective_date("2024-03-01");
    *request.mutable_decision() = DecisionNumbered("2-QĐ/ĐU");
    v1::Organization out;
    ASSERT_TRUE(orgs().MoveOrganization(&ctx, request, &out).ok());
  }
  {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::MergeOrganizationsRequest request;
    request.add_sources(a.name());
    request.set_target(b.name());
    request.set_effective_date("2024-04-01");
    *request.mutable_decision() = DecisionNumbered("3-QĐ/ĐU");
    v1::MergeOrganizationsResponse out;
    ASSERT_TRUE(orgs().MergeOrganizations(&ctx, request, &out).ok());
  }
  v1::SplitOrganizationResponse split;
  ASSERT_TRUE(Split(b.name(), {"CHI_BO_TRUC_THUOC", "CHI_BO_TRUC_THUOC"}, 1, "2024-05-01", &split).ok());
  ASSERT_EQ(split.created_size(), 2);
  const std::string c1 = split.created(0).name();
  const std::string c2 = split.created(1).name();
  ASSERT_TRUE(Dissolve(c1, c2, "2024-06-01").ok());
  ASSERT_TRUE(ChangeSector(dbcs2.name(), "WARD", "2024-07-01").ok());
  {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::HandOverOrganizationRequest request;
    request.set_name(dbcs.name());
    request.set_receiving_committee(khoi.name());
    request.set_effective_date("2024-08-01");
    *request.mutable_decision() = DecisionNumbered("4-QĐ/TU");
    v1::Organization out;
    ASSERT_TRUE(orgs().HandOverOrganization(&ctx, request, &out).ok());
  }
  {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::UpdateOrganizationRequest request;
    request.mutable_organization()->set_name(dbcs2.name());
    request.mutable_organization()->set_address("Số 2 đường Trần Phú");
    request.mutable_update_mask()->add_paths("address");
    v1::Organization out;
    ASSERT_TRUE(orgs().UpdateOrganization(&ctx, request, &out).ok());
  }

  const auto changes = ChangesAfter(head);

  // A founding: CREATED, no `before`, the founding date and the facts from it.
  const v1::OrganizationChange founded = Find(changes, a.name(), v1::ORGANIZATION_EVENT_KIND_CREATED);
  EXPECT_FALSE(founded.has_before());
  EXPECT_EQ(founded.event().effective_date(), "2020-01-01");
  EXPECT_EQ(founded.after().parent(), dbcs.name());
  EXPECT_EQ(founded.after().type(), "CHI_BO_TRUC_THUOC");
  EXPECT_EQ(founded.after().state(), v1::ORGANIZATION_STATE_ACTIVE);
  EXPECT_EQ(founded.organization().as_of_date(), "2020-01-01");

  const v1::OrganizationChange renamed = Find(changes, a.name(), v1::ORGANIZATION_EVENT_KIND_RENAMED);
  EXPECT_EQ(renamed.event().effective_date(), "2024-02-01");
  EXPECT_EQ(renamed.event().decision().number(), "1-QĐ/ĐU");
  EXPECT_EQ(renamed.event().decision().issuing_body(), "Ban Thường vụ");
  EXPECT_EQ(renamed.event().actor(), "test-user");
  EXPECT_EQ(renamed.before().display_name(), "Chi bộ A");
  EXPECT_EQ(renamed.after().display_name(), "Chi bộ A mới");
  EXPECT_EQ(renamed.organization().display_name(), "Chi bộ A mới");
  EXPECT_EQ(renamed.organization().as_of_date(), "2024-02-01");

  const v1::OrganizationChange moved = Find(changes, mover.name(), v1::ORGANIZATION_EVENT_KIND_MOVED);
  EXPECT_EQ(moved.before().parent(), dbcs.name());
  EXPECT_EQ(moved.after().parent(), dbcs2.name());
  EXPECT_EQ(moved.event().decision().number(), "2-QĐ/ĐU");

  // Merge: the source MERGED (members follow the target cell), the target ABSORBED.
  const v1::OrganizationChange merged = Find(changes, a.name(), v1::ORGANIZATION_EVENT_KIND_MERGED);
  EXPECT_EQ(merged.event().effective_date(), "2024-04-01");
  EXPECT_EQ(merged.before().state(), v1::ORGANIZATION_STATE_ACTIVE);
  EXPECT_EQ(merged.after().state(), v1::ORGANIZATION_STATE_MERGED);
  EXPECT_EQ(merged.member_successor(), b.name());
  EXPECT_EQ(merged.event().member_successor(), b.name());
  const v1::OrganizationChange absorbed = Find(changes, b.name(), v1::ORGANIZATION_EVENT_KIND_ABSORBED);
  ASSERT_EQ(absorbed.event().related_size(), 1);
  EXPECT_EQ(absorbed.event().related(0), a.name());
  EXPECT_EQ(absorbed.after().state(), v1::ORGANIZATION_STATE_ACTIVE);
  EXPECT_TRUE(absorbed.member_successor().empty());

  // Split: the source SPLIT naming its member successor; the results CREATED_BY_SPLIT.
  const v1::OrganizationChange split_change = Find(changes, b.name(), v1::ORGANIZATION_EVENT_KIND_SPLIT);
  EXPECT_EQ(split_change.after().state(), v1::ORGANIZATION_STATE_SPLIT);
  EXPECT_EQ(split_change.member_successor(), c2);
  const v1::OrganizationChange by_split = Find(changes, c1, v1::ORGANIZATION_EVENT_KIND_CREATED_BY_SPLIT);
  EXPECT_FALSE(by_split.has_before());
  ASSERT_EQ(by_split.event().related_size(), 1);
  EXPECT_EQ(by_split.event().related(0), b.name());
  EXPECT_EQ(by_split.event().effective_date(), "2024-05-01");
  EXPECT_EQ(by_split.after().parent(), dbcs2.name());
  for (const auto& [action, change] : changes) {
    if (change.event().organization() == c1) {
      EXPECT_NE(change.event().kind(), v1::ORGANIZATION_EVENT_KIND_CREATED) << "a split result is not a founding";
    }
  }

  const v1::OrganizationChange dissolved = Find(changes, c1, v1::ORGANIZATION_EVENT_KIND_DISSOLVED);
  EXPECT_EQ(dissolved.member_successor(), c2);
  EXPECT_EQ(dissolved.before().state(), v1::ORGANIZATION_STATE_ACTIVE);
  EXPECT_EQ(dissolved.after().state(), v1::ORGANIZATION_STATE_DISSOLVED);
  EXPECT_EQ(dissolved.organization().ended_on(), "2024-06-01");

  const v1::OrganizationChange sector = Find(changes, dbcs2.name(), v1::ORGANIZATION_EVENT_KIND_SECTOR_CHANGED);
  EXPECT_EQ(sector.before().sector(), "COMMUNE");
  EXPECT_EQ(sector.after().sector(), "WARD");
  EXPECT_EQ(sector.event().previous_sector(), "COMMUNE");
  EXPECT_EQ(sector.event().new_sector(), "WARD");
  EXPECT_EQ(sector.event().effective_date(), "2024-07-01");

  const v1::OrganizationChange handed = Find(changes, dbcs.name(), v1::ORGANIZATION_EVENT_KIND_HANDED_OVER);
  EXPECT_EQ(handed.before().parent(), xa.name());
  EXPECT_EQ(handed.after().parent(), khoi.name());
  EXPECT_EQ(handed.after().state(), v1::ORGANIZATION_STATE_HANDED_OVER);
  EXPECT_EQ(handed.event().decision().number(), "4-QĐ/TU");

  const v1::OrganizationChange updated = Find(changes, dbcs2.name(), v1::ORGANIZATION_EVENT_KIND_ATTRIBUTES_UPDATED);
  EXPECT_EQ(updated.organization().address(), "Số 2 đường Trần Phú");
  EXPECT_EQ(updated.after().sector(), "WARD");

  // ListOrganizationEvents tells the same story as the feed.
  std::vector<v1::OrganizationEventKind> kinds;
  for (const auto& event : Events(a.name())) kinds.push_back(event.kind());
  EXPECT_EQ(kinds, (std::vector<v1::OrganizationEventKind>{v1::ORGANIZATION_EVENT_KIND_CREATED,
                                                            v1::ORGANIZATION_EVENT_KIND_RENAMED,
                                                            v1::ORGANIZATION_EVENT_KIND_MERGED}));
  EXPECT_EQ(Events(a.name()).back().member_successor(), b.name());
  const std::vector<v1::OrganizationEvent> c1_events = Events(c1);
  ASSERT_EQ(c1_events.size(), 2u);
  EXPECT_EQ(c1_events[0].kind(), v1::ORGANIZATION_EVENT_KIND_CREATED_BY_SPLIT);
  EXPECT_EQ(c1_events[1].kind(), v1::ORGANIZATION_EVENT_KIND_DISSOLVED);
  EXPECT_EQ(c1_events[1].member_successor(), c2);
  EXPECT_EQ(Events(b.name())[2].member_successor(), c2);  // created, absorbed, split
  EXPECT_EQ(Events(dbcs2.name()).back().kind(), v1::ORGANIZATION_EVENT_KIND_ATTRIBUTES_UPDATED);
}

TEST_F(OrgFactsTest, MemberSuccessorIsValidated) {
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Xã Kế thừa", "COMMUNE");
  v1::Organization dbcs = CreateOrg("DANG_BO_CO_SO", xa.name(), "Đảng bộ cơ sở", "COMMUNE");
  v1::Organization other_dbcs = CreateOrg("DANG_BO_CO_SO", xa.name(), "Đảng bộ cơ sở khác", "COMMUNE");
  v1::Organization cell = CreateOrg("CHI_BO_TRUC_THUOC", dbcs.name(), "Chi bộ giải thể");
  v1::Organization neighbour = CreateOrg("CHI_BO_TRUC_THUOC", dbcs.name(), "Chi bộ bên cạnh");
  v1::Organization later = CreateOrg("CHI_BO_TRUC_THUOC", dbcs.name(), "Chi bộ lập sau", "", "2025-01-01");
  v1::Organization elsewhere = CreateOrg("CHI_BO_TRUC_THUOC", other_dbcs.name(), "Chi bộ nơi khác");

  // Dissolve.
  grpc::Status status = Dissolve(cell.name(), cell.name(), "2024-06-01");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "member_successor");
  status = Dissolve(cell.name(), "cells/9", "2024-06-01");
  EXPECT_EQ(BadField(status), "member_successor");
  status = Dissolve(cell.name(), dbcs.name(), "2024-06-01");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "MEMBER_SUCCESSOR_NOT_A_CELL");
  status = Dissolve(cell.name(), later.name(), "2024-06-01");
  EXPECT_EQ(Reason(status), "MEMBER_SUCCESSOR_NOT_ACTIVE");
  // An administrator of one đảng bộ cannot hand members to a cell outside it.
  status = Dissolve(cell.name(), elsewhere.name(), "2024-06-01", AdminToken(IdOf(dbcs.name())));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  // Only a cell's members follow it.
  v1::Organization empty_dbcs = CreateOrg("DANG_BO_CO_SO", xa.name(), "Đảng bộ trống", "COMMUNE");
  status = Dissolve(empty_dbcs.name(), neighbour.name(), "2024-06-01");
  EXPECT_EQ(Reason(status), "MEMBER_SUCCESSOR_ONLY_FOR_CELLS");
  // Nothing was written by the refusals.
  EXPECT_EQ(GetOrg(cell.name(), "2024-07-01").state(), v1::ORGANIZATION_STATE_ACTIVE);
  EXPECT_EQ(Events(cell.name()).size(), 1u);
  // A successor that ends on a later day is still active on the effective date.
  ASSERT_TRUE(Dissolve(cell.name(), neighbour.name(), "2024-06-01").ok());
  EXPECT_EQ(Events(cell.name()).back().member_successor(), neighbour.name());
  // Without a successor the members are "to be placed": the event names none.
  ASSERT_TRUE(Dissolve(later.name(), "", "2025-06-01").ok());
  EXPECT_TRUE(Events(later.name()).back().member_successor().empty());

  // Split.
  status = Split(empty_dbcs.name(), {"DANG_BO_CO_SO", "DANG_BO_CO_SO"}, 0, "2024-07-01");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "MEMBER_SUCCESSOR_ONLY_FOR_CELLS");
  status = Split(neighbour.name(), {"CHI_BO_TRUC_THUOC", "CHI_BO_TRUC_THUOC"}, 2, "2024-07-01");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "member_successor_index");
  status = Split(neighbour.name(), {"CHI_BO_TRUC_THUOC", "DANG_BO_BO_PHAN"}, 1, "2024-07-01");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "MEMBER_SUCCESSOR_NOT_A_CELL");
  EXPECT_EQ(GetOrg(neighbour.name(), "2024-08-01").state(), v1::ORGANIZATION_STATE_ACTIVE);
  v1::SplitOrganizationResponse split;
  ASSERT_TRUE(Split(neighbour.name(), {"CHI_BO_TRUC_THUOC", "DANG_BO_BO_PHAN"}, 0, "2024-07-01", &split).ok());
  EXPECT_EQ(Events(neighbour.name()).back().member_successor(), split.created(0).name());
}

TEST_F(OrgFactsTest, SectorHasHistory) {
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Xã Ngành", "COMMUNE");
  v1::Organization unit = CreateOrg("DANG_BO_CO_SO", xa.name(), "Đảng bộ Cơ quan", "AGENCY");
  v1::Organization changed;
  ASSERT_TRUE(ChangeSector(unit.name(), "PUBLIC_SERVICE_UNIT", "2024-01-01", unit.etag(), AdminToken(), &changed).ok());
  EXPECT_EQ(changed.sector(), "PUBLIC_SERVICE_UNIT");
  EXPECT_EQ(GetOrg(unit.name(), "2023-12-31").sector(), "AGENCY");
  EXPECT_EQ(GetOrg(unit.name(), "2024-01-01").sector(), "PUBLIC_SERVICE_UNIT");
  // The sector filter applies as of the date.
  EXPECT_EQ(ChildNames(xa.name(), "2023-06-01", "AGENCY"), std::vector<std::string>{unit.name()});
  EXPECT_TRUE(ChildNames(xa.name(), "2024-06-01", "AGENCY").empty());
  EXPECT_EQ(ChildNames(xa.name(), "2024-06-01", "PUBLIC_SERVICE_UNIT"), std::vector<std::string>{unit.name()});
  {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::GetSubtreeRequest request;
    request.set_name(xa.name());
    request.set_as_of_date("2023-06-01");
    v1::GetSubtreeResponse response;
    ASSERT_TRUE(orgs().GetSubtree(&ctx, request, &response).ok());
    ASSERT_EQ(response.nodes_size(), 2);
    EXPECT_EQ(response.nodes(1).organization().sector(), "AGENCY");
  }
  // A later change of another fact keeps the sector of the period.
  {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::RenameOrganizationRequest request;
    request.set_name(unit.name());
    request.set_new_display_name("Đảng bộ Trường");
    request.set_effective_date("2024-03-01");
    v1::Organization out;
    ASSERT_TRUE(orgs().RenameOrganization(&ctx, request, &out).ok());
    EXPECT_EQ(out.sector(), "PUBLIC_SERVICE_UNIT");
  }
  const std::vector<v1::OrganizationEvent> events = Events(unit.name());
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].kind(), v1::ORGANIZATION_EVENT_KIND_SECTOR_CHANGED);
  EXPECT_EQ(events[1].previous_sector(), "AGENCY");
  EXPECT_EQ(events[1].new_sector(), "PUBLIC_SERVICE_UNIT");
  EXPECT_EQ(events[1].decision().number(), "12-QĐ/ĐU");

  // Refusals.
  grpc::Status status = ChangeSector(unit.name(), "PUBLIC_SERVICE_UNIT", "2024-06-01");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadField(status), "new_sector");
  status = ChangeSector(unit.name(), "NOWHERE", "2024-06-01");
  EXPECT_EQ(BadField(status), "new_sector");
  status = ChangeSector(unit.name(), "", "2024-06-01");
  EXPECT_EQ(BadField(status), "new_sector");
  status = ChangeSector(unit.name(), "AGENCY", "2024-02-01");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "EFFECTIVE_DATE_BEFORE_LAST_CHANGE");
  EXPECT_EQ(ChangeSector(unit.name(), "AGENCY", "2024-06-01", unit.etag()).error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ChangeSector(unit.name(), "AGENCY", "2024-06-01", "", SecretaryToken(IdOf(unit.name()))).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::Organization other = CreateOrg("DANG_BO_XA", RootName(), "Xã Khác", "COMMUNE");
  EXPECT_EQ(ChangeSector(unit.name(), "AGENCY", "2024-06-01", "", AdminToken(IdOf(other.name()))).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(GetOrg(unit.name(), "2024-07-01").sector(), "PUBLIC_SERVICE_UNIT");

  // UpdateOrganization does not correct the sector.
  v1::UpdateOrganizationRequest update;
  update.mutable_organization()->set_name(unit.name());
  update.mutable_organization()->set_sector("AGENCY");
  update.mutable_update_mask()->add_paths("sector");
  {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::Organization out;
    status = orgs().UpdateOrganization(&ctx, update, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(BadField(status), "update_mask");
    EXPECT_NE(status.error_message().find("ChangeOrganizationSector"), std::string::npos);
  }
  update.clear_update_mask();
  update.mutable_organization()->set_note("Ghi chú");
  {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::Organization out;
    status = orgs().UpdateOrganization(&ctx, update, &out);
    EXPECT_EQ(BadField(status), "organization.sector");
  }
  // The organization sent back unchanged with an empty mask is fine.
  update.mutable_organization()->set_sector("PUBLIC_SERVICE_UNIT");
  {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::Organization out;
    ASSERT_TRUE(orgs().UpdateOrganization(&ctx, update, &out).ok());
    EXPECT_EQ(out.note(), "Ghi chú");
    EXPECT_EQ(out.sector(), "PUBLIC_SERVICE_UNIT");
  }
}

TEST_F(OrgFactsTest, CommuneMilitaryCellIsAValidatedDatedFact) {
  v1::Organization xa = CreateOrg("DANG_BO_XA", RootName(), "Xã Quân sự", "COMMUNE");
  v1::Organization commune = CreateOrg("DANG_BO_CO_SO", xa.name(), "Đảng bộ xã", "COMMUNE");
  v1::Organization agency = CreateOrg("DANG_BO_CO_SO", xa.name(), "Đảng bộ Cơ quan", "AGENCY");

  v1::Organization flagged;
  ASSERT_TRUE(Create("CHI_BO_TRUC_THUOC", commune.name(), true, &flagged).ok());
  EXPECT_TRUE(flagged.is_commune_military_cell());
  EXPECT_TRUE(GetOrg(flagged.name(), "2020-01-01").is_commune_military_cell());
  v1::Organization refused;
  grpc::Status status = Create("DANG_BO_BO_PHAN", commune.name(), true, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(status), "MILITARY_CELL_NOT_A_CELL");
  status = Create("CHI_BO_TRUC_THUOC", agency.name(), true, &refused);
  EXPECT_EQ(Reason(status), "MILITARY_CELL_PARENT_NOT_COMMUNE");
  // A flagged cell does not move under a non-commune organization.
  {
    grpc::ClientContext ctx;
    Authorize(ctx, AdminToken());
    v1::MoveOrganizationRequest request;
    request.set_name(flagged.name());
    request.set_new_parent(agency.name());
    request.set_effective_date("2024-01-01");
    v1::Organization out;
    status = orgs().MoveOrganization(&ctx, request, &out);
    EXPECT_EQ(Reason(status), "MILITARY_CELL_PARENT_NOT_COMMUNE");
  }

  // Dated change and its history.
  const int64_t head = FeedHead();
  v1::Organization cell = CreateOrg("CHI_BO_TRUC_THUOC", commune.name(), "Chi bộ Quân sự xã");
  EXPECT_FALSE(cell.is_commune_military_cell());
  ASSERT_TRUE(ChangeMilitaryCell(cell.name(), true, "2024-01-01").ok());
  ASSERT_TRUE(ChangeMilitaryCell(cell.name(), false, "2025-01-01").ok());
  EXPECT_FALSE(GetOrg(cell.name(), "2023-12-31").is_commune_military_cell());
  EXPECT_TRUE(GetOrg(cell.name(), "2024-06-01").is_commune_military_cell());
  EXPECT_FALSE(GetOrg(cell.name(), "2025-01-01").is_commune_military_cell());
  status = ChangeMilitaryCell(cell.name(), false, "2025-06-01");
  EXPECT_EQ(BadField(status), "is_commune_military_cell");
  status = ChangeMilitaryCell(cell.name(), true, "2024-06-01");
  EXPECT_EQ(Reason(status), "EFFECTIVE_DATE_BEFORE_LAST_CHANGE");
  v1::Organization agency_cell = CreateOrg("CHI_BO_TRUC_THUOC", agency.name(), "Chi bộ Văn phòng");
  EXPECT_EQ(Reason(ChangeMilitaryCell(agency_cell.name(), true, "2024-01-01")), "MILITARY_CELL_PARENT_NOT_COMMUNE");
  EXPECT_EQ(Reason(ChangeMilitaryCell(agency.name(), true, "2024-01-01")), "MILITARY_CELL_NOT_A_CELL");

  const auto changes = ChangesAfter(head);
  std::vector<std::pair<bool, bool>> flips;
  for (const auto& [action, change] : changes) {
    if (change.event().organization() != cell.name()) continue;
    if (change.event().kind() != v1::ORGANIZATION_EVENT_KIND_COMMUNE_MILITARY_CELL_CHANGED) continue;
    EXPECT_EQ(action, "military_cell_changed");
    flips.emplace_back(change.before().is_commune_military_cell(), change.after().is_commune_military_cell());
  }
  EXPECT_EQ(flips, (std::vector<std::pair<bool, bool>>{{false, true}, {true, false}}));
}

}  // namespace
}  // namespace grassroots::org::testing
