// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

// The fields of a TraceEvent, once: every writer (JSON object, trace-file line, CBOR frame) and
// reader (JSON, CBOR stream) walks this list, so a field added to TraceEvent is added here and
// nowhere else.

#include <mortar/trace.h>

#include <optional>
#include <type_traits>

namespace Mortar::Internal {

template <typename T>
struct IsOptionalField : std::false_type
{
};
template <typename T>
struct IsOptionalField<std::optional<T>> : std::true_type
{
};

/*!
    Calls \a visit(name, field, repeats) for each field of \a event (a TraceEvent, const or
    not) in the order of the file format. Strings are left out of an encoding when empty,
    optionals when unset. \a repeats: a string whose values recur from event to event (kind,
    hook, handler …), which a decoder may share; \c error and \c message do not.
*/
template <typename Event, typename Visit>
void forEachTraceEventField(Event &event, Visit &&visit)
{
    static_assert(std::is_same_v<std::remove_const_t<Event>, TraceEvent>);
    visit("seq", event.seq, false);
    visit("t", event.t, false);
    visit("thread", event.thread, false);
    visit("kind", event.kind, true);
    visit("hook", event.hook, true);
    visit("handler", event.handler, true);
    visit("weight", event.weight, false);
    visit("owner", event.owner, true);
    visit("source", event.source, true);
    visit("status", event.status, true);
    visit("error", event.error, false);
    visit("durationNs", event.durationNs, false);
    visit("message", event.message, false);
    visit("code", event.code, false);
}

/*! Calls \a write(name, integer) or \a write(name, string) for each field \a event has (a set
    optional, a non-empty string): what an encoder writes before the \c extra fields. */
template <typename Write>
void forEachPresentTraceEventField(const TraceEvent &event, Write &&write)
{
    forEachTraceEventField(event, [&](const char *name, const auto &field, bool) {
        using Field = std::decay_t<decltype(field)>;
        if constexpr (std::is_same_v<Field, QString>) {
            if (!field.isEmpty())
                write(name, field);
        } else if constexpr (IsOptionalField<Field>::value) {
            if (field)
                write(name, qint64(*field));
        } else {
            write(name, qint64(field));
        }
    });
}

} // namespace Mortar::Internal
