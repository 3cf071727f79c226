#include "checkpoint/pickle_reader.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "espnet/error.h"

namespace espnet {

const PickleValue* PickleValue::dict_find(const std::string& key) const {
  if (kind != Kind::kDict) return nullptr;
  for (size_t i = 0; i < dict_size(); ++i) {
    const PickleValue* k = dict_key(i);
    if (k->kind == Kind::kString && k->text == key) return dict_value(i);
  }
  return nullptr;
}

std::string pickle_kind_name(const PickleValue& value) {
  using Kind = PickleValue::Kind;
  switch (value.kind) {
    case Kind::kNone:
      return "None";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
    case Kind::kBigInt:
      return "int";
    case Kind::kFloat:
      return "float";
    case Kind::kString:
      return "str";
    case Kind::kBytes:
      return "bytes";
    case Kind::kTuple:
      return "tuple";
    case Kind::kList:
      return "list";
    case Kind::kDict:
      return "dict";
    case Kind::kGlobal:
      return "global " + value.text;
    case Kind::kCall:
      return "call to " + (value.items.empty() ? std::string("?") : value.items[0]->text);
    case Kind::kPersistent:
      return "persistent id";
  }
  return "?";
}

PickleValue* PickleObjects::make(PickleValue::Kind kind, size_t offset) {
  objects_.push_back(std::make_unique<PickleValue>());
  PickleValue* v = objects_.back().get();
  v->kind = kind;
  v->offset = offset;
  return v;
}

namespace {

using Kind = PickleValue::Kind;

// Opcode bytes, named as in CPython's pickle.py.
enum Opcode : uint8_t {
  kMark = '(',
  kStop = '.',
  kPop = '0',
  kPopMark = '1',
  kDup = '2',
  kBinFloat = 'G',
  kBinInt = 'J',
  kBinInt1 = 'K',
  kBinInt2 = 'M',
  kNone = 'N',
  kBinPersId = 'Q',
  kReduce = 'R',
  kBinString = 'T',
  kShortBinString = 'U',
  kBinUnicode = 'X',
  kAppend = 'a',
  kBuild = 'b',
  kGlobal = 'c',
  kAppends = 'e',
  kBinGet = 'h',
  kLongBinGet = 'j',
  kEmptyList = ']',
  kBinPut = 'q',
  kLongBinPut = 'r',
  kSetItem = 's',
  kTuple = 't',
  kSetItems = 'u',
  kEmptyDict = '}',
  kEmptyTuple = ')',
  kBinBytes = 'B',
  kShortBinBytes = 'C',
  kProto = 0x80,
  kNewTrue = 0x88,
  kNewFalse = 0x89,
  kLong1 = 0x8a,
  kLong4 = 0x8b,
  kTuple1 = 0x85,
  kTuple2 = 0x86,
  kTuple3 = 0x87,
  kShortBinUnicode = 0x8c,
  kBinUnicode8 = 0x8d,
  kBinBytes8 = 0x8e,
  kStackGlobal = 0x93,
  kMemoize = 0x94,
  kFrame = 0x95,
};

// Longest module or attribute name accepted in GLOBAL (real ones are a few dozen bytes).
constexpr size_t kMaxGlobalName = 256;

class Machine {
 public:
  Machine(const uint8_t* data, size_t size, const std::string& source,
          const std::set<std::string>& allowed, size_t base_offset, const PickleLimits& limits)
      : data_(data),
        size_(size),
        source_(source),
        allowed_(allowed),
        base_(base_offset),
        limits_(limits),
        objects_(std::make_unique<PickleObjects>()) {}

  Unpickled run() {
    while (true) {
      op_at_ = pos_;
      if (pos_ >= size_) fail("the pickle is truncated (no STOP opcode before the end)");
      uint8_t op = data_[pos_++];
      if (step(op)) break;
    }
    Unpickled result;
    result.root = result_;
    result.end = pos_;
    result.objects = std::move(objects_);
    return result;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error("checkpoint " + source_ + ": bad pickle at byte " + std::to_string(base_ + op_at_) +
                ": " + what);
  }

  // ---- reading operands ----
  const uint8_t* take(uint64_t n, const char* what) {
    if (n > size_ - pos_)
      fail(std::string(what) + " needs " + std::to_string(n) + " bytes but only " +
           std::to_string(size_ - pos_) + " are left (truncated or corrupt file)");
    const uint8_t* p = data_ + pos_;
    pos_ += static_cast<size_t>(n);
    return p;
  }
  uint64_t read_le(int bytes, const char* what) {
    const uint8_t* p = take(bytes, what);
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
  }
  std::string read_line(const char* what) {
    size_t limit = std::min(size_ - pos_, kMaxGlobalName + 1);
    const void* nl = std::memchr(data_ + pos_, '\n', limit);
    if (!nl) fail(std::string(what) + " is not a newline-terminated name of at most 256 bytes");
    size_t len = static_cast<const uint8_t*>(nl) - (data_ + pos_);
    std::string s(reinterpret_cast<const char*>(data_ + pos_), len);
    pos_ += len + 1;
    return s;
  }

  // ---- objects and the stack ----
  PickleValue* make(Kind kind) {
    if (objects_->size() >= limits_.max_objects)
      fail("more than " + std::to_string(limits_.max_objects) + " objects");
    return objects_->make(kind, base_ + op_at_);
  }
  void push(PickleValue* v) {
    if (stack_.size() >= limits_.max_stack)
      fail("the stack grows beyond " + std::to_string(limits_.max_stack) + " values");
    stack_.push_back(v);
  }
  size_t frame_base() const { return marks_.empty() ? 0 : marks_.back(); }
  PickleValue* pop() {
    if (stack_.size() <= frame_base()) fail("stack underflow");
    PickleValue* v = stack_.back();
    stack_.pop_back();
    return v;
  }
  PickleValue* top() {
    if (stack_.size() <= frame_base()) fail("stack underflow");
    return stack_.back();
  }
  std::vector<PickleValue*> pop_mark() {
    if (marks_.empty()) fail("no MARK to close");
    size_t base = marks_.back();
    marks_.pop_back();
    std::vector<PickleValue*> items(stack_.begin() + base, stack_.end());
    stack_.resize(base);
    return items;
  }
  void add_items(PickleValue* container, const std::vector<PickleValue*>& items) {
    if (container->items.size() + items.size() > limits_.max_container_items)
      fail("a container holds more than " + std::to_string(limits_.max_container_items) + " items");
    container->items.insert(container->items.end(), items.begin(), items.end());
  }
  PickleValue* make_tuple(std::vector<PickleValue*> items) {
    PickleValue* t = make(Kind::kTuple);
    add_items(t, items);
    return t;
  }
  PickleValue* make_string(Kind kind, uint64_t length) {
    const uint8_t* p = take(length, "a string");
    PickleValue* v = make(kind);
    v->text.assign(reinterpret_cast<const char*>(p), static_cast<size_t>(length));
    return v;
  }
  PickleValue* make_int(int64_t value) {
    PickleValue* v = make(Kind::kInt);
    v->integer = value;
    return v;
  }
  // LONG1/LONG4 payload: little-endian two's complement of any width.
  PickleValue* make_long(uint64_t length) {
    const uint8_t* p = take(length, "a long integer");
    if (length > 8) {
      PickleValue* v = make(Kind::kBigInt);
      v->text.assign(reinterpret_cast<const char*>(p), static_cast<size_t>(length));
      return v;
    }
    uint64_t u = 0;
    for (size_t i = length; i-- > 0;) u = (u << 8) | p[i];
    if (length > 0 && length < 8 && (p[length - 1] & 0x80)) u |= ~uint64_t{0} << (8 * length);
    int64_t s;
    std::memcpy(&s, &u, sizeof s);
    return make_int(s);
  }

  void memo_put(uint64_t index) {
    PickleValue* v = top();
    if (memo_.size() >= limits_.max_memo && memo_.find(index) == memo_.end())
      fail("the memo grows beyond " + std::to_string(limits_.max_memo) + " entries");
    memo_[index] = v;
  }
  void memo_get(uint64_t index) {
    auto it = memo_.find(index);
    if (it == memo_.end()) fail("memo entry " + std::to_string(index) + " was never stored");
    push(it->second);
  }

  void load_global(const std::string& module, const std::string& name) {
    std::string full = module + "." + name;
    if (allowed_.count(full) == 0)
      throw Error("refusing to load global '" + full + "' from checkpoint " + source_ +
                  " (pickle byte " + std::to_string(base_ + op_at_) +
                  "): only collections.OrderedDict and PyTorch tensor/storage types are "
                  "allowed; the file may be malicious, or it holds more than a state dict");
    PickleValue* v = make(Kind::kGlobal);
    v->text = full;
    push(v);
  }

  void reduce() {
    PickleValue* args = pop();
    PickleValue* callable = pop();
    if (callable->kind != Kind::kGlobal)
      fail("REDUCE calls a " + pickle_kind_name(*callable) + ", not an allowed global");
    if (args->kind != Kind::kTuple)
      fail("REDUCE of " + callable->text + " takes a " + pickle_kind_name(*args) +
           " instead of an argument tuple");
    if (callable->text == "collections.OrderedDict") {
      if (!args->items.empty()) fail("collections.OrderedDict is called with arguments");
      push(make(Kind::kDict));
      return;
    }
    PickleValue* call = make(Kind::kCall);
    call->items = {callable, args};
    push(call);
  }

  void build() {
    PickleValue* state = pop();
    PickleValue* target = top();
    // An OrderedDict's state is its instance __dict__ (torch stores `_metadata` there) and a
    // call's state is extra attributes: neither matters for the tensor values, so both are
    // checked for shape and dropped.
    bool state_ok =
        state->kind == Kind::kDict || state->kind == Kind::kNone || state->kind == Kind::kTuple;
    if ((target->kind != Kind::kDict && target->kind != Kind::kCall) || !state_ok)
      fail("BUILD sets a " + pickle_kind_name(*state) + " on a " + pickle_kind_name(*target));
  }

  PickleValue* top_of_kind(Kind kind, const char* opname) {
    PickleValue* target = top();
    if (target->kind != kind)
      fail(std::string(opname) + " applied to a " + pickle_kind_name(*target));
    return target;
  }

  // Executes one opcode; returns true at STOP.
  bool step(uint8_t op) {
    switch (op) {
      case kProto: {
        uint64_t version = read_le(1, "PROTO");
        if (version < 2 || version > 5)
          fail("pickle protocol " + std::to_string(version) + " is not supported (2..5 are)");
        break;
      }
      case kFrame: {
        uint64_t frame = read_le(8, "FRAME");
        if (frame > size_ - pos_) fail("FRAME of " + std::to_string(frame) + " bytes is truncated");
        break;
      }
      case kGlobal: {
        std::string module = read_line("GLOBAL module");
        std::string name = read_line("GLOBAL name");
        load_global(module, name);
        break;
      }
      case kStackGlobal: {
        PickleValue* name = pop();
        PickleValue* module = pop();
        if (name->kind != Kind::kString || module->kind != Kind::kString)
          fail("STACK_GLOBAL needs two strings");
        load_global(module->text, name->text);
        break;
      }
      case kReduce:
        reduce();
        break;
      case kBuild:
        build();
        break;
      case kMark:
        if (marks_.size() >= limits_.max_mark_depth)
          fail("MARKs nest deeper than " + std::to_string(limits_.max_mark_depth));
        marks_.push_back(stack_.size());
        break;
      case kTuple:
        push(make_tuple(pop_mark()));
        break;
      case kTuple1: {
        PickleValue* a = pop();
        push(make_tuple({a}));
        break;
      }
      case kTuple2: {
        PickleValue* b = pop();
        PickleValue* a = pop();
        push(make_tuple({a, b}));
        break;
      }
      case kTuple3: {
        PickleValue* c = pop();
        PickleValue* b = pop();
        PickleValue* a = pop();
        push(make_tuple({a, b, c}));
        break;
      }
      case kEmptyTuple:
        push(make(Kind::kTuple));
        break;
      case kEmptyDict:
        push(make(Kind::kDict));
        break;
      case kEmptyList:
        push(make(Kind::kList));
        break;
      case kSetItem: {
        PickleValue* value = pop();
        PickleValue* key = pop();
        add_items(top_of_kind(Kind::kDict, "SETITEM"), {key, value});
        break;
      }
      case kSetItems: {
        std::vector<PickleValue*> items = pop_mark();
        if (items.size() % 2) fail("SETITEMS with an odd number of values");
        add_items(top_of_kind(Kind::kDict, "SETITEMS"), items);
        break;
      }
      case kAppend: {
        PickleValue* value = pop();
        add_items(top_of_kind(Kind::kList, "APPEND"), {value});
        break;
      }
      case kAppends: {
        std::vector<PickleValue*> items = pop_mark();
        add_items(top_of_kind(Kind::kList, "APPENDS"), items);
        break;
      }
      case kBinPut:
        memo_put(read_le(1, "BINPUT"));
        break;
      case kLongBinPut:
        memo_put(read_le(4, "LONG_BINPUT"));
        break;
      case kMemoize:
        memo_put(memo_.size());
        break;
      case kBinGet:
        memo_get(read_le(1, "BINGET"));
        break;
      case kLongBinGet:
        memo_get(read_le(4, "LONG_BINGET"));
        break;
      case kShortBinUnicode:
        push(make_string(Kind::kString, read_le(1, "SHORT_BINUNICODE")));
        break;
      case kBinUnicode:
        push(make_string(Kind::kString, read_le(4, "BINUNICODE")));
        break;
      case kBinUnicode8:
        push(make_string(Kind::kString, read_le(8, "BINUNICODE8")));
        break;
      // Python 2 str: torch.load decodes these to str as well.
      case kShortBinString:
        push(make_string(Kind::kString, read_le(1, "SHORT_BINSTRING")));
        break;
      case kBinString: {
        uint64_t length = read_le(4, "BINSTRING");
        if (length & 0x80000000u) fail("BINSTRING with a negative length");
        push(make_string(Kind::kString, length));
        break;
      }
      case kShortBinBytes:
        push(make_string(Kind::kBytes, read_le(1, "SHORT_BINBYTES")));
        break;
      case kBinBytes:
        push(make_string(Kind::kBytes, read_le(4, "BINBYTES")));
        break;
      case kBinBytes8:
        push(make_string(Kind::kBytes, read_le(8, "BINBYTES8")));
        break;
      case kBinInt: {
        uint32_t u = static_cast<uint32_t>(read_le(4, "BININT"));
        int32_t s;
        std::memcpy(&s, &u, sizeof s);
        push(make_int(s));
        break;
      }
      case kBinInt1:
        push(make_int(static_cast<int64_t>(read_le(1, "BININT1"))));
        break;
      case kBinInt2:
        push(make_int(static_cast<int64_t>(read_le(2, "BININT2"))));
        break;
      case kLong1:
        push(make_long(read_le(1, "LONG1")));
        break;
      case kLong4: {
        uint64_t length = read_le(4, "LONG4");
        if (length & 0x80000000u) fail("LONG4 with a negative length");
        push(make_long(length));
        break;
      }
      case kBinFloat: {
        const uint8_t* p = take(8, "BINFLOAT");
        uint64_t u = 0;
        for (int i = 0; i < 8; ++i) u = (u << 8) | p[i];  // big-endian
        PickleValue* v = make(Kind::kFloat);
        std::memcpy(&v->real, &u, sizeof u);
        push(v);
        break;
      }
      case kNewTrue:
      case kNewFalse: {
        PickleValue* v = make(Kind::kBool);
        v->boolean = op == kNewTrue;
        push(v);
        break;
      }
      case kNone:
        push(make(Kind::kNone));
        break;
      case kBinPersId: {
        PickleValue* pid = pop();
        PickleValue* v = make(Kind::kPersistent);
        v->items = {pid};
        push(v);
        break;
      }
      case kPop:
        pop();
        break;
      case kPopMark:
        pop_mark();
        break;
      case kDup:
        push(top());
        break;
      case kStop:
        result_ = pop();
        if (!stack_.empty() || !marks_.empty())
          fail("STOP leaves " + std::to_string(stack_.size()) + " values and " +
               std::to_string(marks_.size()) + " marks behind");
        return true;
      default: {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", op);
        fail(std::string("unsupported pickle opcode ") + hex +
             " (only the opcodes of plain PyTorch state dicts are understood)");
      }
    }
    return false;
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  size_t op_at_ = 0;
  const std::string& source_;
  const std::set<std::string>& allowed_;
  size_t base_;
  PickleLimits limits_;
  std::unique_ptr<PickleObjects> objects_;
  std::vector<PickleValue*> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, PickleValue*> memo_;
  PickleValue* result_ = nullptr;
};

}  // namespace

Unpickled read_pickle(const uint8_t* data, size_t size, const std::string& source,
                      const std::set<std::string>& allowed_globals, size_t base_offset,
                      const PickleLimits& limits) {
  Machine machine(data, size, source, allowed_globals, base_offset, limits);
  return machine.run();
}

}  // namespace espnet
