// Saves a file the server streams to the browser (bundles, server files): nothing is kept after the click.
window.adminPortal = window.adminPortal || {};
window.adminPortal.download = async (fileName, contentType, streamRef) => {
    const buffer = await streamRef.arrayBuffer();
    const url = URL.createObjectURL(new Blob([buffer], { type: contentType }));
    const a = document.createElement("a");
    a.href = url;
    a.download = fileName;
    document.body.appendChild(a);
    a.click();
    a.remove();
    URL.revokeObjectURL(url);
};
