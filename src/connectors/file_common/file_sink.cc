#include "connectors/file_common/file_sink.h"

namespace sluice {

Result<std::string> FileSink::Prepare(const WriteRequest& request) {
  SLUICE_RETURN_IF_ERROR(CheckFileWriteMode(connector_, request.mode));
  schema_ = request.schema;
  target_ = std::make_unique<FileTarget>(path_);
  checkpoint_state_.clear();
  SLUICE_ASSIGN_OR_RETURN(std::string state, target_->Begin(request.mode, request.run_id));
  StartFile(*target_);
  return state;
}

Status FileSink::Commit() {
  if (!target_) return Status::Internal("{} sink: Commit before Prepare", connector_);
  return target_->Commit();
}

Status FileSink::Abort() {
  return target_ ? target_->Abort() : Status::OK();
}

Status FileSink::Checkpoint(const std::vector<StreamPosition>& /*positions*/) {
  if (!target_) return Status::Internal("{} sink: Checkpoint before Prepare", connector_);
  SLUICE_ASSIGN_OR_RETURN(checkpoint_state_, target_->Checkpoint());
  return Status::OK();
}

Status FileSink::CommitWithPositions(const std::vector<StreamPosition>& positions) {
  if (positions.empty()) return Commit();  // a batch run: its journal is Prepare's
  SLUICE_RETURN_IF_ERROR(Checkpoint(positions));
  return target_->Commit();
}

Result<std::vector<std::string>> FileSink::Plan(const WriteRequest& request) {
  SLUICE_RETURN_IF_ERROR(CheckFileWriteMode(connector_, request.mode));
  return FileTarget::Plan(path_, request.mode);
}

}  // namespace sluice
