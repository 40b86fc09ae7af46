// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// What the benchmark programs share: a console reporter that keeps each benchmark's time and
// counters for the table of targets printed at the end (SPEC §11: figures, never timed tests),
// and the process's memory as /proc/self/status tells it.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <malloc.h>
#include <unistd.h>

namespace MortarBench {

/*!
    The console output as usual, plus each benchmark's real time per iteration and its
    counters. With --benchmark_repetitions the median aggregate is used; without, the median
    of the runs reported.
*/
class MeasuringReporter final : public benchmark::ConsoleReporter
{
public:
    // Colours only on a terminal, as the default reporter does (--benchmark_color=auto).
    MeasuringReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular) { }

    void ReportRuns(const std::vector<Run> &reports) override
    {
        ConsoleReporter::ReportRuns(reports);
        for (const Run &run : reports) {
            Measurement &m = m_measurements[run.run_name.function_name];
            if (run.error_occurred) {
                m.error = run.error_message;
            } else if (run.run_type == Run::RT_Aggregate) {
                if (run.aggregate_name == "median") {
                    m.medianMs = toMs(run.GetAdjustedRealTime(), run.time_unit);
                    for (const auto &[name, counter] : run.counters)
                        m.medianCounters[name] = counter.value;
                }
            } else {
                m.runsMs.push_back(toMs(run.GetAdjustedRealTime(), run.time_unit));
                for (const auto &[name, counter] : run.counters)
                    m.counters[name].push_back(counter.value);
            }
        }
    }

    /*! Milliseconds per iteration; -1 if not measured or failed. */
    double ms(const std::string &name) const
    {
        const Measurement *m = find(name);
        if (!m || !m->error.empty())
            return -1;
        return m->medianMs >= 0 ? m->medianMs : median(m->runsMs);
    }

    /*! A counter of \a name's runs (their median); -1 if not measured or failed. */
    double counter(const std::string &name, const std::string &counterName) const
    {
        const Measurement *m = find(name);
        if (!m || !m->error.empty())
            return -1;
        if (const auto it = m->medianCounters.find(counterName); it != m->medianCounters.end())
            return it->second;
        const auto it = m->counters.find(counterName);
        return it == m->counters.end() ? -1 : median(it->second);
    }

    bool failed(const std::string &name) const
    {
        const Measurement *m = find(name);
        return m && !m->error.empty();
    }

    /*! Why there is no figure for \a name. */
    std::string describeMissing(const std::string &name) const
    {
        const Measurement *m = find(name);
        if (!m)
            return "not run (filtered out?)";
        return "FAILED: " + m->error;
    }

private:
    struct Measurement
    {
        std::vector<double> runsMs;
        double medianMs = -1;
        std::string error;
        std::map<std::string, std::vector<double>> counters;
        std::map<std::string, double> medianCounters;
    };

    const Measurement *find(const std::string &name) const
    {
        const auto it = m_measurements.find(name);
        return it == m_measurements.end() ? nullptr : &it->second;
    }

    static double median(std::vector<double> values)
    {
        if (values.empty())
            return -1;
        std::sort(values.begin(), values.end());
        const size_t n = values.size();
        return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    static double toMs(double value, benchmark::TimeUnit unit)
    {
        switch (unit) {
        case benchmark::kNanosecond: return value / 1e6;
        case benchmark::kMicrosecond: return value / 1e3;
        case benchmark::kMillisecond: return value;
        case benchmark::kSecond: return value * 1e3;
        }
        return value;
    }

    std::map<std::string, Measurement> m_measurements;
};

/*! A field of /proc/self/status in KiB (VmRSS, VmHWM …); -1 if it cannot be read. */
inline long long procStatusKiB(const char *field)
{
    FILE *file = std::fopen("/proc/self/status", "r");
    if (!file)
        return -1;
    char line[256];
    long long value = -1;
    const size_t length = std::strlen(field);
    while (std::fgets(line, sizeof line, file)) {
        if (std::strncmp(line, field, length) == 0 && line[length] == ':') {
            value = std::atoll(line + length + 1);
            break;
        }
    }
    std::fclose(file);
    return value;
}

/*! Gives freed memory back to the system and resets the peak (VmHWM) to the current RSS, so
    that a measurement's peak is its own. False if the kernel does not allow the reset
    (/proc/self/clear_refs, Linux >= 4.0): VmHWM is then the peak since the process began. */
inline bool resetPeakRss()
{
    malloc_trim(0);
    FILE *file = std::fopen("/proc/self/clear_refs", "w");
    if (!file)
        return false;
    const bool ok = std::fputs("5", file) >= 0;
    return std::fclose(file) == 0 && ok;
}

/*! "PASS" or "MISS". */
inline const char *verdict(bool pass)
{
    return pass ? "PASS" : "MISS";
}

} // namespace MortarBench
