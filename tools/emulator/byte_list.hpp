// An ordered list of byte ranges that keeps their owners alive: a response body is built from
// small owned strings and large shared ones (a cached image's base64 text) without copying them.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace openai::emulator {

class byte_list {
public:
    struct piece {
        std::shared_ptr<const void> owner; // null for static literals
        std::string_view bytes;
    };

    /// Takes ownership of `s`.
    void add(std::string s) {
        if (s.empty())
            return;
        auto owned = std::make_shared<const std::string>(std::move(s));
        std::string_view view = *owned;
        pieces_.push_back({std::move(owned), view});
        size_ += view.size();
    }

    /// Shares `s` (no copy).
    void add(std::shared_ptr<const std::string> s) {
        if (!s || s->empty())
            return;
        std::string_view view = *s;
        pieces_.push_back({std::move(s), view});
        size_ += view.size();
    }

    /// A part of memory owned by `owner`.
    void add(std::shared_ptr<const void> owner, std::string_view part) {
        if (part.empty())
            return;
        pieces_.push_back({std::move(owner), part});
        size_ += part.size();
    }

    /// A literal with static storage duration.
    void add_static(std::string_view literal) {
        if (literal.empty())
            return;
        pieces_.push_back({nullptr, literal});
        size_ += literal.size();
    }

    void append(const byte_list& other) {
        pieces_.insert(pieces_.end(), other.pieces_.begin(), other.pieces_.end());
        size_ += other.size_;
    }

    /// The first `n` bytes (shared, not copied).
    byte_list prefix(std::size_t n) const {
        byte_list out;
        for (const auto& p : pieces_) {
            if (n == 0)
                break;
            std::string_view part = p.bytes.substr(0, n);
            out.add(p.owner, part);
            n -= part.size();
        }
        return out;
    }

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    const std::vector<piece>& pieces() const noexcept { return pieces_; }

    std::string flatten() const {
        std::string out;
        out.reserve(size_);
        for (const auto& p : pieces_)
            out.append(p.bytes);
        return out;
    }

private:
    std::vector<piece> pieces_;
    std::size_t size_ = 0;
};

} // namespace openai::emulator
