<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>kiosk</name>
    <message>
        <source>login.verify</source>
        <translation>Verify a certificate</translation>
    </message>
    <message>
        <source>verify.title</source>
        <translation>Verify a certificate</translation>
    </message>
    <message>
        <source>verify.prompt</source>
        <translation>Scan the QR code on the certificate with the barcode scanner, or choose a PDF or a photo on a USB stick.</translation>
    </message>
    <message>
        <source>verify.prompt_camera</source>
        <translation>Scan the QR code on the certificate with the barcode scanner or the camera, or choose a PDF or a photo on a USB stick.</translation>
    </message>
    <message>
        <source>verify.ready</source>
        <translation>Ready for the scanner.</translation>
    </message>
    <message>
        <source>verify.not_payload</source>
        <translation>That was not a certificate&apos;s QR code (it starts with GC1:). Please scan again.</translation>
    </message>
    <message>
        <source>verify.too_long</source>
        <translation>That scan is too long to be a certificate. Please scan again.</translation>
    </message>
    <message>
        <source>verify.files</source>
        <translation>Files on a USB stick</translation>
    </message>
    <message>
        <source>verify.camera</source>
        <translation>Use the camera</translation>
    </message>
    <message>
        <source>verify.anchor_hint</source>
        <translation>Bringing your own trust anchor (a GCT1: QR code)? Scan it first: checks will then trust it instead of the kiosk&apos;s list.</translation>
    </message>
    <message>
        <source>verify.anchor_in_use</source>
        <translation>Checks now use your own trust anchor (chain {chain}, {count} validators), not the kiosk&apos;s list of trusted keys.</translation>
    </message>
    <message>
        <source>verify.anchor_stop</source>
        <translation>Stop using it</translation>
    </message>
    <message>
        <source>verify.anchor_loaded</source>
        <translation>Your trust anchor is loaded. Now scan a certificate.</translation>
    </message>
    <message>
        <source>verify.anchor_bad</source>
        <translation>That trust anchor (GCT1:) could not be read, so nothing was loaded. Please scan it again.</translation>
    </message>
    <message>
        <source>verify.anchor_stopped</source>
        <translation>Your trust anchor is no longer used: checks use the kiosk&apos;s list of trusted keys again.</translation>
    </message>
    <message>
        <source>progress.verifying</source>
        <translation>Checking the certificate…</translation>
    </message>
    <message>
        <source>progress.finding_files</source>
        <translation>Looking for files on the USB stick…</translation>
    </message>
    <message>
        <source>verify_files.title</source>
        <translation>Choose a certificate file</translation>
    </message>
    <message>
        <source>verify_files.hint</source>
        <translation>PDF, PNG and JPEG files, newest first. Touch one to check it.</translation>
    </message>
    <message>
        <source>verify_files.empty</source>
        <translation>No PDF, PNG or JPEG file was found. Insert a USB stick and touch Refresh.</translation>
    </message>
    <message>
        <source>verify_files.refresh</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>verify_files.row</source>
        <translation>{name}
{when}   {folder}</translation>
    </message>
    <message>
        <source>verify_files.top</source>
        <translation>(top folder)</translation>
    </message>
    <message>
        <source>verify_result.title</source>
        <translation>Verification result</translation>
    </message>
    <message>
        <source>verdict.genuine</source>
        <translation>Genuine</translation>
    </message>
    <message>
        <source>verdict.not_genuine</source>
        <translation>NOT genuine</translation>
    </message>
    <message>
        <source>verdict.could_not_check</source>
        <translation>Could not be checked</translation>
    </message>
    <message>
        <source>verify_result.failed_at</source>
        <translation>Failed check: {step}</translation>
    </message>
    <message>
        <source>verify_result.source.node</source>
        <translation>Online: checked against the ledger, including whether it was revoked.</translation>
    </message>
    <message>
        <source>verify_result.source.bundle</source>
        <translation>Offline: the signature was checked and the proof in the PDF shows the certificate on the ledger (as of block {height}). A revocation after printing can only be seen online.</translation>
    </message>
    <message>
        <source>verify_result.source.none</source>
        <translation>Offline: only the signature could be checked. Whether the certificate is on the ledger and not revoked was not checked.</translation>
    </message>
    <message>
        <source>verify_result.source.unreachable</source>
        <translation>The ledger could not be reached: whether the certificate is on the ledger and not revoked is not known.</translation>
    </message>
    <message>
        <source>verify_result.no_trust</source>
        <translation>The kiosk has no list of trusted keys yet: it must be online once to fetch it.</translation>
    </message>
    <message>
        <source>verify_result.photo</source>
        <translation>The text on the photo was not compared: check that what is printed matches the facts below.</translation>
    </message>
    <message>
        <source>verify_result.steps</source>
        <translation>What was checked</translation>
    </message>
    <message>
        <source>verify_result.mark.ok</source>
        <translation>✓ Passed</translation>
    </message>
    <message>
        <source>verify_result.mark.fail</source>
        <translation>✗ Failed</translation>
    </message>
    <message>
        <source>verify_result.mark.unchecked</source>
        <translation>? Not checked</translation>
    </message>
    <message>
        <source>verify_step.read</source>
        <translation>QR code</translation>
    </message>
    <message>
        <source>verify_step.read.ok</source>
        <translation>The QR code was read.</translation>
    </message>
    <message>
        <source>verify_step.read.fail</source>
        <translation>No certificate QR code could be read.</translation>
    </message>
    <message>
        <source>verify_step.trust</source>
        <translation>Trusted keys</translation>
    </message>
    <message>
        <source>verify_step.trust.ok</source>
        <translation>The list of trusted keys is at hand.</translation>
    </message>
    <message>
        <source>verify_step.trust.fail</source>
        <translation>The list of trusted keys is not usable.</translation>
    </message>
    <message>
        <source>verify_step.payload</source>
        <translation>Certificate data</translation>
    </message>
    <message>
        <source>verify_step.payload.ok</source>
        <translation>The QR code holds certificate data of this ledger.</translation>
    </message>
    <message>
        <source>verify_step.payload.fail</source>
        <translation>The QR code&apos;s data is damaged, or of another ledger.</translation>
    </message>
    <message>
        <source>verify_step.signature</source>
        <translation>Issuer&apos;s signature</translation>
    </message>
    <message>
        <source>verify_step.signature.ok</source>
        <translation>Signed by a trusted issuer; nothing was changed after signing.</translation>
    </message>
    <message>
        <source>verify_step.signature.fail</source>
        <translation>The signature does not match: the data was changed or not signed by a trusted issuer.</translation>
    </message>
    <message>
        <source>verify_step.printed</source>
        <translation>Printed text</translation>
    </message>
    <message>
        <source>verify_step.printed.ok</source>
        <translation>The amount and certificate number printed match the signed data.</translation>
    </message>
    <message>
        <source>verify_step.printed.fail</source>
        <translation>What is printed differs from the signed data.</translation>
    </message>
    <message>
        <source>verify_step.inclusion</source>
        <translation>On the ledger</translation>
    </message>
    <message>
        <source>verify_step.inclusion.ok</source>
        <translation>The issuance is in a block confirmed by enough validators.</translation>
    </message>
    <message>
        <source>verify_step.inclusion.fail</source>
        <translation>The issuance is not proven to be in a confirmed block.</translation>
    </message>
    <message>
        <source>verify_step.record</source>
        <translation>Ledger record</translation>
    </message>
    <message>
        <source>verify_step.record.ok</source>
        <translation>The ledger&apos;s record matches the certificate.</translation>
    </message>
    <message>
        <source>verify_step.record.fail</source>
        <translation>The ledger&apos;s record differs from the certificate.</translation>
    </message>
    <message>
        <source>verify_step.revocation</source>
        <translation>Not revoked</translation>
    </message>
    <message>
        <source>verify_step.revocation.ok</source>
        <translation>The certificate has not been revoked.</translation>
    </message>
    <message>
        <source>verify_step.revocation.fail</source>
        <translation>The certificate has been revoked.</translation>
    </message>
    <message>
        <source>verify_step.ledger</source>
        <translation>Ledger</translation>
    </message>
    <message>
        <source>verify_step.ledger.ok</source>
        <translation>The ledger answered.</translation>
    </message>
    <message>
        <source>verify_step.ledger.fail</source>
        <translation>The ledger has no such certificate.</translation>
    </message>
    <message>
        <source>verify_step.lifecycle</source>
        <translation>Transfers and retirements</translation>
    </message>
    <message>
        <source>verify_step.lifecycle.ok</source>
        <translation>The ledger records what became of this certificate&apos;s energy:</translation>
    </message>
    <message>
        <source>verify_step.lifecycle.fail</source>
        <translation>What became of this certificate&apos;s energy could not be read.</translation>
    </message>
    <message>
        <source>verify_step.time_matched</source>
        <translation>Time-matched energy</translation>
    </message>
    <message>
        <source>verify_step.time_matched.ok</source>
        <translation>The time-matched energy it states is the figure the ledger recorded.</translation>
    </message>
    <message>
        <source>verify_step.time_matched.fail</source>
        <translation>The time-matched energy it states is not the figure the ledger recorded.</translation>
    </message>
    <message>
        <source>verify_step.unchecked</source>
        <translation>This could not be checked.</translation>
    </message>
    <message>
        <source>verify_result.facts</source>
        <translation>What the certificate says (verified)</translation>
    </message>
    <message>
        <source>verify_result.facts_unverified</source>
        <translation>What the certificate claims (NOT verified)</translation>
    </message>
    <message>
        <source>verify_fact.amount</source>
        <translation>Amount</translation>
    </message>
    <message>
        <source>verify_fact.time_matched</source>
        <translation>Time-matched</translation>
    </message>
    <message>
        <source>verify_fact.period</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>verify_fact.method</source>
        <translation>Method</translation>
    </message>
    <message>
        <source>verify_fact.owner</source>
        <translation>Owner</translation>
    </message>
    <message>
        <source>verify_fact.institution</source>
        <translation>Institution</translation>
    </message>
    <message>
        <source>verify_fact.reference</source>
        <translation>Reference</translation>
    </message>
    <message>
        <source>verify_result.show_page</source>
        <translation>Show the certificate</translation>
    </message>
    <message>
        <source>verify_result.another</source>
        <translation>Verify another</translation>
    </message>
    <message>
        <source>verify_result.finish</source>
        <translation>Finish</translation>
    </message>
    <message>
        <source>view.title</source>
        <translation>Certificate</translation>
    </message>
    <message>
        <source>view.hint</source>
        <translation>Drag to move the page. The QR code can be scanned from the screen.</translation>
    </message>
    <message>
        <source>view.loading</source>
        <translation>Preparing the page…</translation>
    </message>
    <message>
        <source>view.failed</source>
        <translation>The certificate could not be shown.</translation>
    </message>
    <message>
        <source>view.zoom_in</source>
        <translation>Zoom in</translation>
    </message>
    <message>
        <source>view.zoom_out</source>
        <translation>Zoom out</translation>
    </message>
    <message>
        <source>view.fit</source>
        <translation>Whole page</translation>
    </message>
    <message>
        <source>view.qr</source>
        <translation>Large QR code</translation>
    </message>
    <message>
        <source>done.show_on_screen</source>
        <translation>Show on screen</translation>
    </message>
    <message>
        <source>settings.show_on_screen</source>
        <translation>Also show certificates on screen</translation>
    </message>
    <message>
        <source>settings.show_on_screen.off</source>
        <translation>Off</translation>
    </message>
    <message>
        <source>settings.show_on_screen.on</source>
        <translation>On</translation>
    </message>
    <message>
        <source>settings.verify_roots</source>
        <translation>Folders for certificate files</translation>
    </message>
    <message>
        <source>settings.verify_roots_reset</source>
        <translation>Reset to defaults</translation>
    </message>
</context>
</TS>
