#include "pkg/kube/cache/predicate.h"

#include <memory>
#include <string_view>
#include <utility>

#include "pkg/kube/cache/object_meta.h"

namespace osbx::kube {
namespace {

bool SameMap(const Json& a, const Json& b, std::string_view field) {
  const Json* x = MetaMap(a, field);
  const Json* y = MetaMap(b, field);
  // An absent map and an empty one mean the same to the API.
  if (x == nullptr || y == nullptr)
    return (x == nullptr || x->empty()) && (y == nullptr || y->empty());
  return *x == *y;
}

Predicate UpdateOnly(std::function<bool(const Json&, const Json&)> update) {
  Predicate p;
  p.update = std::move(update);
  return p;
}

}  // namespace

Predicate GenerationChanged() {
  return UpdateOnly([](const Json& old_obj, const Json& new_obj) {
    return MetaGeneration(old_obj) != MetaGeneration(new_obj);
  });
}

Predicate LabelsChanged() {
  return UpdateOnly([](const Json& old_obj, const Json& new_obj) {
    return !SameMap(old_obj, new_obj, "labels");
  });
}

Predicate AnnotationsChanged() {
  return UpdateOnly([](const Json& old_obj, const Json& new_obj) {
    return !SameMap(old_obj, new_obj, "annotations");
  });
}

Predicate ResourceVersionChanged() {
  return UpdateOnly([](const Json& old_obj, const Json& new_obj) {
    return MetaString(old_obj, "resourceVersion") != MetaString(new_obj, "resourceVersion");
  });
}

Predicate FilterObjects(std::function<bool(const Json& obj)> filter) {
  auto f = std::make_shared<std::function<bool(const Json&)>>(std::move(filter));
  Predicate p;
  p.create = [f](const Json& obj) { return (*f)(obj); };
  p.update = [f](const Json&, const Json& new_obj) { return (*f)(new_obj); };
  p.del = [f](const Json& obj) { return (*f)(obj); };
  return p;
}

Predicate And(std::vector<Predicate> predicates) {
  auto ps = std::make_shared<const std::vector<Predicate>>(std::move(predicates));
  Predicate p;
  p.create = [ps](const Json& o) {
    for (const Predicate& q : *ps) {
      if (!q.Create(o)) return false;
    }
    return true;
  };
  p.update = [ps](const Json& a, const Json& b) {
    for (const Predicate& q : *ps) {
      if (!q.Update(a, b)) return false;
    }
    return true;
  };
  p.del = [ps](const Json& o) {
    for (const Predicate& q : *ps) {
      if (!q.Delete(o)) return false;
    }
    return true;
  };
  return p;
}

Predicate Or(std::vector<Predicate> predicates) {
  auto ps = std::make_shared<const std::vector<Predicate>>(std::move(predicates));
  Predicate p;
  p.create = [ps](const Json& o) {
    for (const Predicate& q : *ps) {
      if (q.Create(o)) return true;
    }
    return false;
  };
  p.update = [ps](const Json& a, const Json& b) {
    for (const Predicate& q : *ps) {
      if (q.Update(a, b)) return true;
    }
    return false;
  };
  p.del = [ps](const Json& o) {
    for (const Predicate& q : *ps) {
      if (q.Delete(o)) return true;
    }
    return false;
  };
  return p;
}

Predicate Not(Predicate predicate) {
  auto q = std::make_shared<const Predicate>(std::move(predicate));
  Predicate p;
  p.create = [q](const Json& o) { return !q->Create(o); };
  p.update = [q](const Json& a, const Json& b) { return !q->Update(a, b); };
  p.del = [q](const Json& o) { return !q->Delete(o); };
  return p;
}

}  // namespace osbx::kube
