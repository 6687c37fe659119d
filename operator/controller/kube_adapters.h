// The remaining ports over operator/kube: a Lister reading an Informer's cache, and an
// EventSink writing through the aggregating EventRecorder.
#pragma once

#include "controller/ports.h"
#include "kube/events.h"
#include "kube/informer.h"

namespace vaultsync::controller {

template <typename T>
class InformerLister final : public Lister<T> {
 public:
  explicit InformerLister(std::shared_ptr<kube::Informer<T>> informer)
      : informer_(std::move(informer)) {}
  std::shared_ptr<const T> Get(const std::string& key) const override {
    return informer_->Get(key);
  }
  std::vector<std::shared_ptr<const T>> List() const override { return informer_->List(); }
  std::vector<std::shared_ptr<const T>> ByIndex(std::string_view index,
                                                std::string_view value) const override {
    return informer_->ByIndex(index, value);
  }

 private:
  std::shared_ptr<kube::Informer<T>> informer_;
};

class RecorderEventSink final : public EventSink {
 public:
  explicit RecorderEventSink(kube::EventRecorder& recorder) : recorder_(recorder) {}
  void Emit(const std::string& kind, const ObjectMeta& object, bool warning,
            const std::string& reason, const std::string& message) override {
    kube::ObjectReference ref;
    ref.api_version = kApiVersion;
    ref.kind = kind;
    ref.namespace_ = object.namespace_;
    ref.name = object.name;
    ref.uid = object.uid;
    ref.resource_version = object.resource_version;
    recorder_.Event(ref, warning ? kube::kEventWarning : kube::kEventNormal, reason, message);
  }

 private:
  kube::EventRecorder& recorder_;
};

}  // namespace vaultsync::controller
