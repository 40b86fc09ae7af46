// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The mortar.tempfiles extension: gives the App its TempFiles (cleanup/tempfiles.h) and removes
// them at close.
#include "app_p.h"
#include "extension_p.h"
#include "tempfiles_p.h"

#include <mortar/app.h>
#include <mortar/extension.h>
#include <mortar/tempfiles.h>

#include <stdexcept>

using namespace Qt::StringLiterals;

namespace Mortar {

namespace {

const QString ExtensionName = u"mortar.tempfiles"_s;

// The extension's state: the App's temporary files, kept by its extension registry.
TempFiles *tempFilesOf(App &app)
{
    return Internal::ExtensionRegistryPrivate::get(app.extensions())
            ->state<TempFiles>(ExtensionName);
}

TempFiles &createTempFiles(App &app)
{
    if (TempFiles *existing = tempFilesOf(app))
        return *existing;
    return Internal::ExtensionRegistryPrivate::get(app.extensions())
            ->setState(ExtensionName, Internal::TempFilesPrivate::create(app.label()));
}

void load(App &app)
{
    createTempFiles(app);
    // In post_close, not pre_close: post_close starts once every pre_close handler finished,
    // including asynchronous ones (a Deferral that flushes state into a temporary file a few
    // hundred milliseconds later). Weight 1000: the app's own post_close handlers (weight 0)
    // may still read the files, e.g. to copy a report out of them.
    app.hooks().add(
            u"post_close"_s,
            [](App &closingApp) {
                const Result removed = tempFilesOf(closingApp)->removeAll();
                if (!removed) // the handler fails: the trace and the exit code rule 1 say so
                    throw std::runtime_error(removed.errorString().toStdString());
            },
            {.weight = 1000, .name = u"remove temporary files"_s});
}

} // namespace

MORTAR_EXTENSION("mortar.tempfiles", load)

TempFiles &App::tempFiles()
{
    if (TempFiles *files = tempFilesOf(*this))
        return *files;
    // Used without being listed: load the extension now, so that the files are removed at close
    // all the same; the trace records the load as implicit.
    Internal::ExtensionRegistryPrivate::get(extensions())
            ->loadOne(ExtensionName, u"first use of App::tempFiles()"_s, true);
    // Its load did not run (it failed before): still give a working object.
    return createTempFiles(*this);
}

} // namespace Mortar
